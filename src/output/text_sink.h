// Where streamed output goes, a piece at a time: listings of 100k sockets are written as
// they are formatted, never held whole as text.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace sockscope::output {

using TextSink = std::function<void(std::string_view)>;

// About how much text a writer gathers before it hands a piece to the sink.
constexpr size_t kTextPiece = 64 << 10;

}  // namespace sockscope::output
