#include "output/text_cursor.h"

#include <gtest/gtest.h>

namespace sockscope::output {
namespace {

TEST(TextCursor, WritesEveryPieceAndGrowsPastItsFirstCapacity) {
  TextCursor out(4);
  out.put("COMMAND");
  out.put(' ');
  out.padded_decimal(42, 5);
  out.put('|');
  out.padded("ab", 4, false);
  out.put('|');
  out.repeat('-', 3);
  out.decimal(18446744073709551615ull);
  out.put(' ');
  out.address(*parse_ip_address("192.168.1.89"));
  out.put(' ');
  out.address(*parse_ip_address("::1"));
  EXPECT_EQ(out.text(), "COMMAND    42|ab  |---18446744073709551615 192.168.1.89 ::1");
  EXPECT_EQ(out.size(), out.text().size());
}

TEST(TextCursor, StartsAgainAfterClear) {
  TextCursor out(8);
  out.put("first piece, longer than eight");
  out.clear();
  EXPECT_EQ(out.text(), "");
  out.put("second");
  EXPECT_EQ(out.text(), "second");
}

}  // namespace
}  // namespace sockscope::output
