// Standard base64 (RFC 4648, with padding): what HTTP Basic authentication sends.
#pragma once

#include <string>
#include <string_view>

namespace sockscope {

std::string encode_base64(std::string_view bytes);

}  // namespace sockscope
