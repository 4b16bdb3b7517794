#include "cli/commands.h"

#include <gtest/gtest.h>

namespace sockscope::cli {
namespace {

TEST(Commands, TableHasEveryCommand) {
  for (const char* name : {"nc", "sockets", "interfaces", "explain", "tour", "help", "version"}) {
    EXPECT_NE(find_command(name), nullptr) << name;
  }
  EXPECT_EQ(find_command("nope"), nullptr);
}

TEST(Commands, SuggestsTheClosestName) {
  EXPECT_EQ(closest_command("socket")->name, "sockets");
  EXPECT_EQ(closest_command("interface")->name, "interfaces");
  EXPECT_EQ(closest_command("expalin")->name, "explain");
  EXPECT_EQ(closest_command("sock")->name, "sockets");
  EXPECT_EQ(closest_command("zzzzzzzzzzzz"), nullptr);
}

}  // namespace
}  // namespace sockscope::cli
