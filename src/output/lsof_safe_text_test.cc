#include "output/lsof_safe_text.h"

#include <gtest/gtest.h>

namespace sockscope::output {
namespace {

constexpr SafeTextStyle kSpaces{.escape_space = true};

TEST(LsofSafeText, EscapesAsLsofPrints) {
  EXPECT_EQ(safe_text("tab\there"), "tab\\there");
  EXPECT_EQ(safe_text("back\\slash"), "back\\\\slash");
  EXPECT_EQ(safe_text(std::string_view("c\x01\x7f" "d\n", 5)), "c^A\\x7fd\\n");
  EXPECT_EQ(safe_text("utf\xc3\xa9"), "utf\\xc3\\xa9");
  EXPECT_EQ(safe_text("a b"), "a b");
  EXPECT_EQ(safe_text("a b", kSpaces), "a\\x20b");
  EXPECT_TRUE(is_plain_text("nc.openbsd"));
  EXPECT_FALSE(is_plain_text("a b", kSpaces));
}

TEST(LsofSafeText, ALimitNeverCutsAnEscape) {
  // lsof 4.95: "a b c d e" in a 9-wide COMMAND column prints a\x20b.
  EXPECT_EQ(safe_text("a b c d e", kSpaces, 9), "a\\x20b");
  EXPECT_EQ(safe_text("back\\slash", {}, 9), "back\\\\sla");
}

TEST(LsofSafeText, WidthCountsBytesAbove0x7fAsTwoAsLsofDoes) {
  EXPECT_EQ(safe_width("utf\xc3\xa9x"), 8u);  // printed as 12 characters
  EXPECT_EQ(safe_width("ctl\x01\x7fz"), 10u);
  EXPECT_EQ(safe_width("a b", kSpaces), 6u);
}

}  // namespace
}  // namespace sockscope::output
