#include "sys/file_window.h"

#include <sys/mman.h>
#include <unistd.h>

#include <utility>

namespace sockscope::sys {

FileWindow::FileWindow(FileWindow&& other) noexcept { *this = std::move(other); }

FileWindow& FileWindow::operator=(FileWindow&& other) noexcept {
  if (this != &other) {
    unmap();
    mapping_ = std::exchange(other.mapping_, nullptr);
    mapping_length_ = std::exchange(other.mapping_length_, 0);
    start_ = std::exchange(other.start_, nullptr);
    length_ = std::exchange(other.length_, 0);
  }
  return *this;
}

FileWindow::~FileWindow() { unmap(); }

void FileWindow::unmap() {
  if (mapping_ != nullptr) ::munmap(mapping_, mapping_length_);
  mapping_ = nullptr;
  start_ = nullptr;
  mapping_length_ = length_ = 0;
}

Result<FileWindow> FileWindow::map(int fd, off_t offset, size_t length) {
  static const off_t page = ::sysconf(_SC_PAGESIZE);
  off_t aligned = offset - offset % page;
  size_t lead = static_cast<size_t>(offset - aligned);
  // MAP_POPULATE reads the pages in with one call instead of one fault per few pages.
  void* mapping = ::mmap(nullptr, lead + length, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, aligned);
  if (mapping == MAP_FAILED) return fail_errno("mmap");
  FileWindow window;
  window.mapping_ = mapping;
  window.mapping_length_ = lead + length;
  window.start_ = static_cast<const char*>(mapping) + lead;
  window.length_ = length;
  return window;
}

}  // namespace sockscope::sys
