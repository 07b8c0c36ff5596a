// Text of one input field -> a Value of the field's type, as both readers accept it.
#pragma once

#include <string>
#include <string_view>

#include "alert/value.h"

namespace alert {

// False with a reason when the text is not a valid value of `kind`.
bool parse_field_text(std::string_view text, TypeKind kind, Value* out, std::string* reason);

}  // namespace alert
