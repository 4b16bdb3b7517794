// One direction of the netcat relay (stdin -> socket or socket -> stdout) and how its bytes
// travel: straight from fd to fd in the kernel where one of them is a pipe (splice), through a
// pipe of our own (splice in, splice out), from a memory map of a regular file, or through a
// user-space buffer.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <optional>

#include "sys/file_window.h"
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
  kMap,       // map the next piece of a regular file, send() from the map
};

// The outcome of reading into a stage or of one direct move.
enum class Step { kData, kEnd, kRetry, kFallback, kError };

struct Stage {
  Route route = Route::kCopy;
  size_t chunk = 1 << 16;  // bytes asked for per read or move
  Buffer buffer;
  std::optional<sys::Pipe> pipe;
  size_t in_pipe = 0;
  sys::FileWindow window;
  size_t window_sent = 0;
  // kSplice: the last move found the sink full, so wait for the sink, not the source.
  bool sink_full = false;

  bool direct() const { return route == Route::kSplice; }
  // Direct routes never hold bytes: they stay in the source until the sink takes them.
  bool empty() const { return pending() == 0; }
  size_t pending() const { return buffer.pending() + in_pipe + (window.size() - window_sent); }
  // Forgets what is held (the sink is gone).
  void discard();
};

// Reads what source has now into an empty kCopy/kOwnPipe/kMap stage; *count gets the bytes read.
// kError leaves errno set; kFallback never comes back (the stage falls back to copies itself).
Step fill(Stage& stage, int source, bool socket, size_t* count);

// Writes as much of the stage as sink takes now; false on a write error (errno set).
bool drain(Stage& stage, int sink, bool socket);

// One direct move from source to sink. kRetry: nothing moved, and the stage now waits on the
// other end (see sink_full). kFallback: these fds refuse the route, nothing was moved and the
// stage copies from now on. kError leaves errno set.
Step move_direct(Stage& stage, int source, int sink, size_t* count);

}  // namespace sockscope::relay
