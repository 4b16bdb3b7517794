// One direction of the netcat relay (stdin -> socket or socket -> stdout) and how its bytes
// travel: straight from fd to fd in the kernel where the fd types allow it (splice with a pipe
// at one end, sendfile from a regular file), through a pipe of our own (splice in, splice out),
// or through a user-space buffer when an fd or an option needs the bytes in hand.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>

#include "sys/splice.h"

namespace sockscope::relay {

// Bytes read from one side and not yet written to the other; one allocation, reused.
class Buffer {
 public:
  bool empty() const { return begin_ == end_; }
  size_t pending() const { return end_ - begin_; }
  const char* data() const { return storage_.get() + begin_; }
  // Room for n more bytes after the pending ones; commit() what was written there.
  char* reserve(size_t n);
  void commit(size_t n) { end_ += n; }
  void consume(size_t n);
  void clear() { begin_ = end_ = 0; }

 private:
  std::unique_ptr<char[]> storage_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
};

enum class Route {
  kCopy,      // read() into the buffer, write() out of it
  kOwnPipe,   // splice into a pipe of ours, splice out of it
  kSplice,    // one splice from source to sink: one of them is a pipe
  kSendfile,  // sendfile from a regular file to the socket
};

// The outcome of reading into a stage or of one direct move.
enum class Step { kData, kEnd, kRetry, kFallback, kError };

struct Stage {
  Route route = Route::kCopy;
  size_t chunk = 1 << 16;  // bytes asked for per read or move
  Buffer buffer;
  std::optional<sys::Pipe> pipe;
  size_t in_pipe = 0;
  // kSplice/kSendfile: the last move found the sink full, so wait for the sink, not the source.
  bool sink_full = false;

  bool direct() const { return route == Route::kSplice || route == Route::kSendfile; }
  // Direct routes never hold bytes: they stay in the source until the sink takes them.
  bool empty() const { return buffer.empty() && in_pipe == 0; }
  size_t pending() const { return buffer.pending() + in_pipe; }
  // Forgets what is held (the sink is gone).
  void discard();
};

// Reads what source has now into an empty kCopy/kOwnPipe stage; *count gets the bytes read.
// kError leaves errno set; kFallback never comes back (the stage falls back to copies itself).
Step fill(Stage& stage, int source, bool socket, size_t* count);

// Writes as much of the stage as sink takes now; false on a write error (errno set).
bool drain(Stage& stage, int sink, bool socket);

// One direct move from source to sink. kRetry: nothing moved, and the stage now waits on the
// other end (see sink_full). kFallback: these fds refuse the route, nothing was moved and the
// stage copies from now on. kError leaves errno set.
Step move_direct(Stage& stage, int source, int sink, size_t* count);

}  // namespace sockscope::relay
