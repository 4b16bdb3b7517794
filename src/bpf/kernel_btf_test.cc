#include "bpf/kernel_btf.h"

#include <linux/btf.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace sockscope::bpf {
namespace {

// Writes a small BTF file, type by type, in the layout the kernel exports.
class BtfWriter {
 public:
  // Each string once, as in the kernel's deduplicated BTF.
  uint32_t name(const std::string& text) {
    if (text.empty()) return 0;
    size_t found = strings_.find('\0' + text + '\0');
    return found == std::string::npos ? repeated_name(text) : static_cast<uint32_t>(found + 1);
  }
  uint32_t repeated_name(const std::string& text) {
    uint32_t offset = static_cast<uint32_t>(strings_.size());
    strings_ += text;
    strings_ += '\0';
    return offset;
  }
  uint32_t add(uint32_t kind, const std::string& type_name, uint32_t vlen, uint32_t size_or_type, bool kind_flag = false) {
    btf_type type{};
    type.name_off = name(type_name);
    type.info = (kind_flag ? 1U << 31 : 0) | kind << 24 | vlen;
    type.size = size_or_type;
    append(&type, sizeof type);
    return ++count_;
  }
  uint32_t integer(const std::string& type_name, uint32_t bytes) {
    uint32_t id = add(BTF_KIND_INT, type_name, 0, bytes);
    uint32_t encoding = bytes * 8;
    append(&encoding, sizeof encoding);
    return id;
  }
  void member(const std::string& member_name, uint32_t type, uint32_t offset) {
    btf_member member{name(member_name), type, offset};
    append(&member, sizeof member);
  }
  void parameter(uint32_t type) {
    btf_param entry{0, type};
    append(&entry, sizeof entry);
  }
  void enumerator(const std::string& enumerator_name, int32_t value) {
    btf_enum entry{name(enumerator_name), value};
    append(&entry, sizeof entry);
  }

  std::string write() {
    btf_header header{};
    header.magic = BTF_MAGIC;
    header.version = BTF_VERSION;
    header.hdr_len = sizeof header;
    header.type_off = 0;
    header.type_len = static_cast<uint32_t>(types_.size());
    header.str_off = header.type_len;
    header.str_len = static_cast<uint32_t>(strings_.size());
    std::string path = ::testing::TempDir() + "/kernel_btf_test." + std::to_string(getpid()) + ".btf";
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&header), sizeof header);
    out << types_ << strings_;
    return path;
  }

 private:
  void append(const void* bytes, size_t size) { types_.append(static_cast<const char*>(bytes), size); }

  std::string types_;
  std::string strings_{1, '\0'};  // offset 0 is the empty name
  uint32_t count_ = 0;
};

// struct task { const pid_t pid; union { struct task* next; unsigned long long raw; }; }
// struct flags { int bits : 3; int whole; }, an enum and a function to attach to.
BtfWriter sample() {
  BtfWriter btf;
  uint32_t int_id = btf.integer("int", 4);
  uint32_t pid_id = btf.add(BTF_KIND_TYPEDEF, "pid_t", 0, int_id);
  uint32_t const_pid = btf.add(BTF_KIND_CONST, "", 0, pid_id);
  uint32_t enum_id = btf.add(BTF_KIND_ENUM, "colour", 2, 4);
  btf.enumerator("RED", 0);
  btf.enumerator("GREEN", 1);
  uint32_t task_id = btf.add(BTF_KIND_STRUCT, "task", 3, 24);
  btf.member("pid", const_pid, 0);
  btf.member("", task_id + 1, 64);
  btf.member("colour", enum_id, 128);
  btf.add(BTF_KIND_UNION, "", 2, 8);
  btf.member("next", task_id + 2, 0);
  btf.member("raw", task_id + 3, 0);
  btf.add(BTF_KIND_PTR, "", 0, task_id);
  btf.integer("unsigned long long", 8);
  uint32_t prototype = btf.add(BTF_KIND_FUNC_PROTO, "", 1, int_id);
  btf.parameter(task_id + 2);
  btf.add(BTF_KIND_FUNC, "iterate_task", 0, prototype);
  btf.add(BTF_KIND_STRUCT, "flags", 2, 8, /*kind_flag=*/true);
  btf.member("bits", int_id, 3U << 24 | 0);
  btf.member("whole", int_id, 32);
  return btf;
}

// Each test runs over both ways of reaching the bytes: a memory map, and reads.
class KernelBtf : public ::testing::TestWithParam<BtfAccess> {};
INSTANTIATE_TEST_SUITE_P(Access, KernelBtf, ::testing::Values(BtfAccess::kMapOrRead, BtfAccess::kRead));

TEST_P(KernelBtf, FindsMembersThroughTypedefsAndAnonymousUnions) {
  BtfWriter btf = sample();
  std::string path = btf.write();
  FieldQuery queries[] = {{"task", "pid"}, {"task", "next"}, {"task", "raw"}, {"task", "colour"}, {"flags", "whole"}};
  Result<KernelLayout> layout = read_kernel_layout(path, "iterate_task", queries, GetParam());
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_EQ(layout->function_id, 10U);
  ASSERT_EQ(layout->fields.size(), 5U);
  EXPECT_EQ(layout->fields[0].offset, 0U);
  EXPECT_EQ(layout->fields[0].size, 4U);
  EXPECT_EQ(layout->fields[1].offset, 8U);
  EXPECT_EQ(layout->fields[1].size, 8U);
  EXPECT_EQ(layout->fields[2].offset, 8U);
  EXPECT_EQ(layout->fields[2].size, 8U);
  EXPECT_EQ(layout->fields[3].offset, 16U);
  EXPECT_EQ(layout->fields[3].size, 4U);
  EXPECT_EQ(layout->fields[4].offset, 4U);
  EXPECT_EQ(layout->fields[4].size, 4U);
  unlink(path.c_str());
}

std::string error_of(BtfWriter& btf, std::string_view function, FieldQuery query, BtfAccess access) {
  std::string path = btf.write();
  Result<KernelLayout> layout = read_kernel_layout(path, function, std::span(&query, 1), access);
  unlink(path.c_str());
  return layout ? "no error" : layout.error().message();
}

TEST_P(KernelBtf, SaysWhatIsMissingOrUnusable) {
  BtfWriter btf = sample();
  auto error_of = [&](BtfWriter& btf, std::string_view function, FieldQuery query) {
    return ::sockscope::bpf::error_of(btf, function, query, GetParam());
  };
  EXPECT_EQ(error_of(btf, "iterate_task", {"task", "nope"}), "the kernel's BTF has no task.nope");
  EXPECT_EQ(error_of(btf, "iterate_task", {"task", "whole"}), "the kernel's BTF has no task.whole");
  EXPECT_EQ(error_of(btf, "iterate_task", {"nope", "pid"}), "the kernel's BTF has no struct nope");
  EXPECT_EQ(error_of(btf, "iterate_nothing", {"task", "pid"}), "the kernel's BTF has no iterate_nothing");
  EXPECT_EQ(error_of(btf, "RED", {"task", "pid"}), "the kernel's BTF has no function RED");
  EXPECT_EQ(error_of(btf, "iterate_task", {"flags", "bits"}), "a member asked for is a bit field");
  // A second, different struct task: which one the kernel means cannot be told.
  btf.add(BTF_KIND_STRUCT, "task", 1, 4);
  btf.member("pid", 1, 0);
  EXPECT_EQ(error_of(btf, "iterate_task", {"task", "pid"}), "the kernel's BTF has two structs named task");
  btf.repeated_name("whole");
  EXPECT_EQ(error_of(btf, "iterate_task", {"flags", "whole"}),
            "the kernel's BTF holds a name twice in its strings (not deduplicated)");
}

TEST_P(KernelBtf, MalformedFilesAreErrors) {
  std::string good_path = sample().write();
  std::ifstream in(good_path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  unlink(good_path.c_str());
  FieldQuery query{"task", "pid"};
  std::string path = ::testing::TempDir() + "/kernel_btf_test.cut." + std::to_string(getpid()) + ".btf";
  // Every truncation leaves the header promising more than the file holds: an error, never a
  // crash or a read past the end.
  for (size_t length = 0; length < bytes.size(); ++length) {
    std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(length));
    EXPECT_FALSE(read_kernel_layout(path, "iterate_task", std::span(&query, 1), GetParam())) << length;
  }
  // A kind this reader does not know.
  std::string unknown = bytes;
  unknown[sizeof(btf_header) + 7] = 31;  // the kind byte of type 1's info
  std::ofstream(path, std::ios::binary) << unknown;
  Result<KernelLayout> layout = read_kernel_layout(path, "iterate_task", std::span(&query, 1), GetParam());
  ASSERT_FALSE(layout);
  EXPECT_EQ(layout.error().message(), "the kernel's BTF has a type kind this program does not know");
  EXPECT_FALSE(read_kernel_layout("/nonexistent/vmlinux", "iterate_task", std::span(&query, 1)));
  unlink(path.c_str());
}

TEST_P(KernelBtf, ReadsTheRunningKernel) {
  if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) GTEST_SKIP() << "this kernel exports no BTF";
  FieldQuery queries[] = {{"task_struct", "tgid"}, {"bpf_iter__task_file", "fd"}, {"bpf_iter__task_file", "meta"}};
  Result<KernelLayout> layout = read_kernel_layout("/sys/kernel/btf/vmlinux", "bpf_iter_task_file", queries, GetParam());
  ASSERT_TRUE(layout) << layout.error().message();
  EXPECT_NE(layout->function_id, 0U);
  EXPECT_EQ(layout->fields[0].size, sizeof(pid_t));
  EXPECT_EQ(layout->fields[1].size, 4U);
  // The iterator's context: meta first, fd after two pointers (include/linux/bpf.h's layout).
  EXPECT_EQ(layout->fields[2].offset, 0U);
  EXPECT_EQ(layout->fields[2].size, 8U);
  EXPECT_EQ(layout->fields[1].offset, 16U);
}

}  // namespace
}  // namespace sockscope::bpf
