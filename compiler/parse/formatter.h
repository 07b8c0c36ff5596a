// The canonical layout of .alert source (`alertc fmt`), comments kept. Idempotent: formatting a
// formatted file changes nothing.
#pragma once

#include <string>
#include <string_view>

#include "alert/result.h"

namespace alert {

// Fails (and changes nothing) on source with lexical errors.
Result<std::string> format_source(std::string_view text);

}  // namespace alert
