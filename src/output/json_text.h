// JsonText: writes compact JSON straight into a string, for listings large enough that
// building a document tree first would cost more than the kernel took to answer.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sockscope::output {

class JsonText {
 public:
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

 private:
  void separate();  // the comma before every element but the first of its container
  std::string out_;
  std::vector<bool> empty_;  // per open container: nothing written in it yet
  bool after_key_ = false;
};

}  // namespace sockscope::output
