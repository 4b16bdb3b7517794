// Where streamed output goes, a piece at a time: listings of 100k sockets are written as
// they are formatted, never held whole as text.
#pragma once

#include <functional>
#include <string_view>

namespace sockscope::output {

using TextSink = std::function<void(std::string_view)>;

}  // namespace sockscope::output
