// JsonText: writes JSON straight into a string, for listings large enough that building a
// document tree first would cost more than the kernel took to answer. Compact, or indented
// as nlohmann's dump(indent) lays it out; the text can be taken out piece by piece while a
// document is written, so that a long listing streams.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sockscope::output {

class JsonText {
 public:
  // indent 0: compact; otherwise each element on its own line, indent spaces per level.
  explicit JsonText(int indent = 0) : indent_(indent) {}

  void begin_object();
  void end_object();
  void begin_array();
  void end_array();
  // A member name; the next value (or begin_*) is its value.
  JsonText& key(std::string_view name);
  void value(std::string_view text);
  void value(const char* text) { value(std::string_view(text)); }
  void value(uint64_t number);
  void value(int64_t number);
  void value(bool flag);
  void null();
  const std::string& text() const { return out_; }
  // What was written since the last take(), handed over and forgotten.
  std::string take() { return std::exchange(out_, {}); }

 private:
  void separate();  // the comma before every element but the first of its container, and
                    // when indenting, the line break and indentation
  void close(char bracket);
  void quoted(std::string_view text);
  void new_line(size_t depth);
  int indent_;
  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace sockscope::output
