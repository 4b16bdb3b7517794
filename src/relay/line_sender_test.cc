#include "relay/line_sender.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/unique_fd.h"

namespace sockscope::relay {
namespace {

struct Pair {
  UniqueFd near;
  UniqueFd far;
};

Pair socket_pair(int type) {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, type, 0, fds), 0);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Feeds text to a LineSender through a pipe, as stdin would.
void feed(LineSender& lines, const std::string& text) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  ASSERT_EQ(::write(write_end.get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
  ASSERT_EQ(lines.read_from(read_end.get()), static_cast<long>(text.size()));
}

std::vector<std::string> datagrams_from(int fd) {
  std::vector<std::string> seen;
  char buffer[1 << 16];
  ssize_t got;
  while ((got = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT)) >= 0) seen.emplace_back(buffer, static_cast<size_t>(got));
  return seen;
}

TEST(LineSender, CrlfGoesWhereNoCrPrecedesTheLf) {
  Pair pair = socket_pair(SOCK_DGRAM);
  LineSender lines(true);
  feed(lines, "a\r\nb\n\nc\r\r\nd\re");
  std::vector<LineSender::Sent> turns;
  while (!lines.empty()) turns.push_back(lines.send_next(pair.near.get(), true));
  using Sent = LineSender::Sent;
  EXPECT_EQ(turns, (std::vector<Sent>{Sent::kLine, Sent::kLine, Sent::kLine, Sent::kLine, Sent::kTail}));
  EXPECT_EQ(datagrams_from(pair.far.get()),
            (std::vector<std::string>{"a\r\n", "b", "\r\n", "\r\n", "c\r\r\n", "d\re"}));
}

TEST(LineSender, WithoutCrlfLinesGoUnchanged) {
  Pair pair = socket_pair(SOCK_DGRAM);
  LineSender lines(false);
  feed(lines, "one\ntwo\r\n\nrest");
  while (!lines.empty()) lines.send_next(pair.near.get(), true);
  EXPECT_EQ(datagrams_from(pair.far.get()), (std::vector<std::string>{"one\n", "two\r\n", "\n", "rest"}));
}

TEST(LineSender, StreamLineWaitsForRoomAndResumes) {
  Pair pair = socket_pair(SOCK_STREAM);
  int buffer = 4096;
  ASSERT_EQ(::setsockopt(pair.near.get(), SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer), 0);
  ASSERT_EQ(::fcntl(pair.near.get(), F_SETFL, O_NONBLOCK), 0);
  LineSender lines(true);
  std::string long_line(LineSender::kCapacity - 1, 'x');
  feed(lines, long_line + "\n");
  EXPECT_EQ(lines.room(), 0u);
  std::string received;
  char piece[1 << 16];
  for (int turn = 0; turn < 1000 && !lines.empty(); ++turn) {
    LineSender::Sent sent = lines.send_next(pair.near.get(), false);
    ASSERT_NE(sent, LineSender::Sent::kError);
    ssize_t got = ::recv(pair.far.get(), piece, sizeof piece, MSG_DONTWAIT);
    if (got > 0) received.append(piece, static_cast<size_t>(got));
  }
  ssize_t got;
  while ((got = ::recv(pair.far.get(), piece, sizeof piece, MSG_DONTWAIT)) > 0) received.append(piece, static_cast<size_t>(got));
  EXPECT_TRUE(lines.empty());
  EXPECT_EQ(received, long_line + "\r\n");
}

}  // namespace
}  // namespace sockscope::relay
