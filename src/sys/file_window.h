// A read-only memory map of part of a regular file, so that send() copies the file's bytes
// into the socket straight from the page cache (one copy, where read() + send() make two).
#pragma once

#include <sys/types.h>

#include <cstddef>

#include "core/error.h"

namespace sockscope::sys {

class FileWindow {
 public:
  FileWindow() = default;
  FileWindow(FileWindow&& other) noexcept;
  FileWindow& operator=(FileWindow&& other) noexcept;
  FileWindow(const FileWindow&) = delete;
  FileWindow& operator=(const FileWindow&) = delete;
  ~FileWindow();

  // Maps bytes [offset, offset + length) of fd (any offset: the map starts at the page below
  // it) with its pages read in. Fails where the file cannot be mapped (some filesystems, a
  // file that is not open for reading).
  static Result<FileWindow> map(int fd, off_t offset, size_t length);

  const char* data() const { return start_; }
  size_t size() const { return length_; }

 private:
  void unmap();

  void* mapping_ = nullptr;
  size_t mapping_length_ = 0;
  const char* start_ = nullptr;
  size_t length_ = 0;
};

}  // namespace sockscope::sys
