#include "relay/stage.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sockscope::relay {

char* Buffer::reserve(size_t n) {
  if (begin_ == end_) begin_ = end_ = 0;
  if (end_ + n > capacity_) {
    size_t wanted = std::max(pending() + n, capacity_ * 2);
    std::unique_ptr<char[]> grown(new char[wanted]);  // no zero-fill: every byte is written before use
    if (!empty()) std::memcpy(grown.get(), data(), pending());
    end_ = pending();
    begin_ = 0;
    storage_ = std::move(grown);
    capacity_ = wanted;
  }
  return storage_.get() + end_;
}

void Buffer::consume(size_t n) {
  begin_ += n;
  if (begin_ == end_) begin_ = end_ = 0;
}

void Stage::discard() {
  buffer.clear();
  in_pipe = 0;
  window = {};
  window_sent = 0;
  pipe.reset();  // what the pipe still holds goes with it
}

namespace {

// Moves what is left in our pipe into the buffer and stops splicing (an fd refused it).
void stop_splicing(Stage& stage) {
  while (stage.in_pipe > 0) {
    char* space = stage.buffer.reserve(stage.in_pipe);
    ssize_t got = ::read(stage.pipe->read_end.get(), space, stage.in_pipe);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // cannot happen with bytes in the pipe; never spin
    stage.buffer.commit(static_cast<size_t>(got));
    stage.in_pipe -= static_cast<size_t>(got);
  }
  stage.pipe.reset();
  stage.route = Route::kCopy;
}

bool cannot_splice(int code) { return code == EINVAL || code == ENOSYS || code == EOPNOTSUPP; }

// Maps the file's next piece, from its shared offset, which then moves past the piece as read()
// would move it. Where the file cannot be mapped, or the offset is at the size fstat reports
// (the end, or a file that lies about its size, as /proc's do), the stage copies from then on,
// and read() decides where the file really ends.
Step map_next(Stage& stage, int file, size_t* count) {
  struct stat info {};
  off_t offset = ::lseek(file, 0, SEEK_CUR);
  if (offset < 0 || ::fstat(file, &info) != 0 || offset >= info.st_size) return Step::kFallback;
  size_t length = std::min<size_t>(stage.chunk, static_cast<size_t>(info.st_size - offset));
  Result<sys::FileWindow> window = sys::FileWindow::map(file, offset, length);
  if (!window || ::lseek(file, offset + static_cast<off_t>(length), SEEK_SET) < 0) return Step::kFallback;
  stage.window = std::move(*window);
  stage.window_sent = 0;
  *count = length;
  return Step::kData;
}

}  // namespace

Step fill(Stage& stage, int source, bool socket, size_t* count) {
  if (stage.route == Route::kMap) {
    Step mapped = map_next(stage, source, count);
    if (mapped != Step::kFallback) return mapped;
    stage.route = Route::kCopy;
  }
  if (stage.route == Route::kOwnPipe) {
    Result<size_t> moved = sys::splice_move(source, stage.pipe->write_end.get(), stage.pipe->capacity);
    if (moved) {
      stage.in_pipe = *moved;
      *count = *moved;
      return *moved == 0 ? Step::kEnd : Step::kData;
    }
    if (moved.error().code == EAGAIN) return Step::kRetry;
    if (!cannot_splice(moved.error().code)) {
      errno = moved.error().code;
      return Step::kError;
    }
    stop_splicing(stage);  // this source cannot be spliced: copy from now on
  }
  char* space = stage.buffer.reserve(stage.chunk);
  ssize_t got = socket ? ::recv(source, space, stage.chunk, 0) : ::read(source, space, stage.chunk);
  if (got < 0) return (errno == EINTR || errno == EAGAIN) ? Step::kRetry : Step::kError;
  if (got == 0) return Step::kEnd;
  stage.buffer.commit(static_cast<size_t>(got));
  *count = static_cast<size_t>(got);
  return Step::kData;
}

namespace {

bool drain_buffer(Buffer& buffer, int sink, bool socket) {
  while (!buffer.empty()) {
    ssize_t written = socket ? ::send(sink, buffer.data(), buffer.pending(), MSG_NOSIGNAL)
                             : ::write(sink, buffer.data(), buffer.pending());
    if (written < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return true;
      return false;
    }
    buffer.consume(static_cast<size_t>(written));
  }
  return true;
}

}  // namespace

bool drain(Stage& stage, int sink, bool socket) {
  while (stage.window_sent < stage.window.size()) {
    ssize_t sent = ::send(sink, stage.window.data() + stage.window_sent, stage.window.size() - stage.window_sent, MSG_NOSIGNAL);
    if (sent >= 0) {
      stage.window_sent += static_cast<size_t>(sent);
      continue;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN) return true;
    if (errno != EFAULT) return false;
    // The file was cut short under the map: the pages past the cut are gone, as a read() would
    // have found. (The rest of the page the cut falls in reads as zeros, which may have gone
    // out: docs/nc.md.) Copy from here on.
    stage.route = Route::kCopy;
    break;
  }
  if (stage.window.size() > 0) {
    stage.window = {};  // unmapped as soon as it is sent, so a long file never holds more
    stage.window_sent = 0;
  }
  while (stage.in_pipe > 0) {
    Result<size_t> moved = sys::splice_move(stage.pipe->read_end.get(), sink, stage.in_pipe);
    if (moved) {
      stage.in_pipe -= *moved;
      continue;
    }
    if (moved.error().code == EAGAIN) return true;
    if (!cannot_splice(moved.error().code)) {
      errno = moved.error().code;
      return false;
    }
    stop_splicing(stage);  // this sink cannot be spliced to: copy what is left
  }
  return drain_buffer(stage.buffer, sink, socket);
}

Step move_direct(Stage& stage, int source, int sink, size_t* count) {
  Result<size_t> moved = sys::splice_move(source, sink, stage.chunk);
  if (moved) {
    stage.sink_full = false;
    *count = *moved;
    return *moved == 0 ? Step::kEnd : Step::kData;
  }
  int code = moved.error().code;
  if (code == EAGAIN) {
    // Woken for a ready source, the sink must be full; woken for a ready sink, the source
    // must be empty. Either way, wait on the other end next (never a busy loop).
    stage.sink_full = !stage.sink_full;
    return Step::kRetry;
  }
  if (cannot_splice(code)) {
    stage.route = Route::kCopy;  // nothing is held, so nothing to hand over
    stage.chunk = std::min<size_t>(stage.chunk, 1 << 20);
    stage.sink_full = false;
    return Step::kFallback;
  }
  errno = code;
  return Step::kError;
}

}  // namespace sockscope::relay
