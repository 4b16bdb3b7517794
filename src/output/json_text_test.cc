#include "output/json_text.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace sockscope::output {
namespace {

TEST(JsonText, NestsAndSeparates) {
  JsonText json;
  json.begin_array();
  json.begin_object();
  json.key("a").value(uint64_t{1});
  json.key("b").begin_array();
  json.value("x");
  json.value(int64_t{-2});
  json.value(true);
  json.null();
  json.end_array();
  json.key("c").begin_object();
  json.end_object();
  json.end_object();
  json.begin_array();
  json.end_array();
  json.end_array();
  EXPECT_EQ(json.text(), R"([{"a":1,"b":["x",-2,true,null],"c":{}},[]])");
}

// The same document indented: laid out byte for byte as nlohmann's dump(2), and taken out in
// pieces along the way.
TEST(JsonText, IndentsAsNlohmannDoes) {
  JsonText json(2);
  std::string streamed;
  json.begin_array();
  json.begin_object();
  json.key("a").value(uint64_t{1});
  json.key("b").begin_array();
  json.value("x");
  streamed += json.take();
  json.value(int64_t{-2});
  json.end_array();
  json.key("c").begin_object();
  json.end_object();
  json.key("d").begin_object();
  json.key("e").null();
  json.end_object();
  json.end_object();
  streamed += json.take();
  json.begin_array();
  json.end_array();
  json.end_array();
  streamed += json.take();
  nlohmann::ordered_json expected = nlohmann::ordered_json::array();
  expected.push_back({{"a", 1}, {"b", {"x", -2}}, {"c", nlohmann::ordered_json::object()}, {"d", {{"e", nullptr}}}});
  expected.push_back(nlohmann::ordered_json::array());
  EXPECT_EQ(streamed, expected.dump(2));
}

TEST(JsonText, EscapesWhatJsonRequires) {
  const std::string input = "q\"b\\n\nt\tc\x01\x7f\xc3\xa9";
  JsonText json;
  json.value(input);
  EXPECT_EQ(json.text(), "\"q\\\"b\\\\n\\nt\\tc\\u0001\x7f\xc3\xa9\"");
  EXPECT_EQ(nlohmann::json::parse(json.text()).get<std::string>(), input);
}

}  // namespace
}  // namespace sockscope::output
