# lit configuration: golden tests of the alertc CLI (diagnostics, check, run output).
import os
import lit.formats

config.name = "alertc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".alert", ".test"]
config.excludes = ["inputs", "Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(lit_config.params.get("build_dir", "."), "tests", "lit")
alertc = lit_config.params["alertc"]
filecheck = lit_config.params["filecheck"]
config.substitutions.append(("%alertc", alertc))
config.substitutions.append(("%shared", lit_config.params.get("shared", "")))
config.environment["PATH"] = os.path.dirname(filecheck) + os.pathsep + config.environment.get("PATH", os.environ.get("PATH", ""))
config.environment["NO_COLOR"] = "1"
