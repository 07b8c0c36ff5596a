#!/usr/bin/env bash
# The README's first command: install what is missing, build, and run the e-commerce example
# over its generated data, printing the alerts it raises.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build build
python3 examples/ecommerce/generate.py examples/ecommerce/data
build/tools/alertc/alertc check examples/*/rules.alert
echo "== alerts raised by examples/ecommerce over a generated day of orders =="
build/tools/alertc/alertc run examples/ecommerce/rules.alert --input Order=examples/ecommerce/data/orders.csv --dry-run
