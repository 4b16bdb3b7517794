#include "bpf/kernel_btf.h"

#include <fcntl.h>
#include <linux/btf.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>

#include "core/unique_fd.h"

namespace sockscope::bpf {
namespace {

constexpr size_t kReadSize = 64 * 1024;
// Anonymous structs nest a few levels deep at most; typedef chains are short. The bounds only
// keep a malformed BTF from looping.
constexpr int kMaxNesting = 16;

// Sequential reads of one section of the BTF: straight from a memory map of it, or through a
// buffer that grows only when a single record is larger than it.
class SectionReader {
 public:
  SectionReader(int fd, uint64_t start, uint64_t length)
      : fd_(fd), next_read_(start), end_(start + length), buffer_(kReadSize) {}
  // The section in memory: everything is "buffered" from the start.
  explicit SectionReader(std::span<const char> section) : memory_(section.data()), filled_(section.size()) {}

  bool at_end() const { return begin_ == filled_ && next_read_ == end_; }
  // Offset of data() from the start of the section.
  uint64_t offset() const { return consumed_; }
  const char* data() const { return (memory_ != nullptr ? memory_ : buffer_.data()) + begin_; }
  size_t buffered() const { return filled_ - begin_; }

  // Makes at least `count` bytes available at data(). Called once per string and per type
  // record (~250k times): what is buffered already answers inline.
  Result<void> want(size_t count) {
    if (buffered() >= count) return {};
    return refill(count);
  }

  // Moves past `count` bytes, reading only what must be read to get there.
  Result<void> skip(uint64_t count) {
    if (count <= buffered()) {
      begin_ += count;
      consumed_ += count;
      return {};
    }
    return skip_unbuffered(count);
  }

 private:
  // Reads on (from the file) until count bytes are buffered.
  [[gnu::noinline]] Result<void> refill(size_t count) {
    if (memory_ != nullptr || count - buffered() > end_ - next_read_) return fail("the kernel's BTF ends inside a record");
    std::memmove(buffer_.data(), data(), buffered());
    filled_ = buffered();
    begin_ = 0;
    if (buffer_.size() < count) buffer_.resize(count);
    while (filled_ < count) {
      size_t room = std::min<uint64_t>(buffer_.size() - filled_, end_ - next_read_);
      ssize_t got = pread(fd_, buffer_.data() + filled_, room, static_cast<off_t>(next_read_));
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) return fail_errno("reading the kernel's BTF");
      if (got == 0) return fail("the kernel's BTF is shorter than its header says");
      filled_ += static_cast<size_t>(got);
      next_read_ += static_cast<uint64_t>(got);
    }
    return {};
  }

  // Past what is buffered: the rest is not read.
  [[gnu::noinline]] Result<void> skip_unbuffered(uint64_t count) {
    uint64_t from_buffer = std::min<uint64_t>(count, buffered());
    begin_ += from_buffer;
    consumed_ += from_buffer;
    uint64_t rest = count - from_buffer;
    if (rest > end_ - next_read_) return fail("the kernel's BTF ends inside a record");
    next_read_ += rest;
    consumed_ += rest;
    return {};
  }

  int fd_ = -1;
  const char* memory_ = nullptr;
  uint64_t next_read_ = 0;
  uint64_t end_ = 0;
  std::vector<char> buffer_;
  size_t begin_ = 0;
  size_t filled_ = 0;
  uint64_t consumed_ = 0;
};

// Bytes that follow a type's common header, by kind (the BTF format's layout).
std::optional<uint64_t> trailing_bytes(uint32_t kind, uint32_t vlen) {
  switch (kind) {
    case BTF_KIND_PTR:
    case BTF_KIND_FWD:
    case BTF_KIND_TYPEDEF:
    case BTF_KIND_VOLATILE:
    case BTF_KIND_CONST:
    case BTF_KIND_RESTRICT:
    case BTF_KIND_FUNC:
    case BTF_KIND_FLOAT:
    case BTF_KIND_TYPE_TAG:
      return 0;
    case BTF_KIND_INT:
    case BTF_KIND_VAR:
    case BTF_KIND_DECL_TAG:
      return 4;
    case BTF_KIND_ARRAY:
      return sizeof(btf_array);
    case BTF_KIND_STRUCT:
    case BTF_KIND_UNION:
      return uint64_t{vlen} * sizeof(btf_member);
    case BTF_KIND_ENUM:
      return uint64_t{vlen} * sizeof(btf_enum);
    case BTF_KIND_FUNC_PROTO:
      return uint64_t{vlen} * sizeof(btf_param);
    case BTF_KIND_DATASEC:
      return uint64_t{vlen} * sizeof(btf_var_secinfo);
    case BTF_KIND_ENUM64:
      return uint64_t{vlen} * sizeof(btf_enum64);
    default:
      return std::nullopt;
  }
}

bool is_struct_or_union(uint32_t kind) { return kind == BTF_KIND_STRUCT || kind == BTF_KIND_UNION; }

// A kind that only qualifies or renames the type it refers to.
bool is_alias(uint32_t kind) {
  return kind == BTF_KIND_TYPEDEF || kind == BTF_KIND_VOLATILE || kind == BTF_KIND_CONST ||
         kind == BTF_KIND_RESTRICT || kind == BTF_KIND_TYPE_TAG;
}

// The names asked for, and where the string section holds each (0 until found: offset 0 is
// the empty string, which no asked-for name is).
class NameTable {
 public:
  void add(std::string_view name) {
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) {
      names_.push_back(name);
      offsets_.push_back(0);
      if (name.size() < 64) lengths_ |= uint64_t{1} << name.size();
    }
  }
  void found(std::string_view text, uint64_t offset) {
    // Most of the kernel's ~100k strings differ in length from every name asked for.
    if (text.size() < 64 && (lengths_ & (uint64_t{1} << text.size())) == 0) return;
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] != text) continue;
      repeated_ |= offsets_[i] != 0;
      offsets_[i] = static_cast<uint32_t>(offset);
    }
  }
  // The kernel's BTF is deduplicated (each string once), which lets a member be matched by
  // its name's offset alone; a repeated name would break that.
  bool repeated() const { return repeated_; }
  uint32_t offset_of(std::string_view name) const {
    auto at = std::find(names_.begin(), names_.end(), name);
    return offsets_[static_cast<size_t>(at - names_.begin())];
  }

 private:
  std::vector<std::string_view> names_;
  std::vector<uint32_t> offsets_;
  uint64_t lengths_ = 0;  // bit n set: some name has n characters (n < 64)
  bool repeated_ = false;
};

class KernelBtf {
 public:
  static Result<KernelBtf> open(const std::string& path, BtfAccess access) {
    KernelBtf btf;
    btf.file_ = UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!btf.file_) return fail_errno("opening " + path);
    ssize_t got = pread(btf.file_.get(), &btf.header_, sizeof btf.header_, 0);
    if (got < 0) return fail_errno("reading " + path);
    if (static_cast<size_t>(got) < sizeof btf.header_ || btf.header_.magic != BTF_MAGIC ||
        btf.header_.hdr_len < sizeof btf.header_) {
      return fail(path + " is not BTF in this machine's byte order");
    }
    // Since Linux 6.16 the kernel lets its BTF be mapped (read-only, private): then no byte is
    // copied and no read made. Older kernels refuse, and the sections are read instead.
    struct stat info {};
    if (access == BtfAccess::kMapOrRead && ::fstat(btf.file_.get(), &info) == 0 && info.st_size > 0) {
      void* mapping = ::mmap(nullptr, static_cast<size_t>(info.st_size), PROT_READ, MAP_PRIVATE, btf.file_.get(), 0);
      if (mapping != MAP_FAILED) btf.mapping_ = Mapping(static_cast<const char*>(mapping), Unmap{static_cast<size_t>(info.st_size)});
    }
    return btf;
  }

  // One pass over the string section: the offset of each name in `names`.
  Result<void> find_strings(NameTable& names) {
    Result<SectionReader> opened = section(uint64_t{header_.hdr_len} + header_.str_off, header_.str_len);
    if (!opened) return tl::unexpected(opened.error());
    SectionReader& reader = *opened;
    while (!reader.at_end()) {
      if (auto wanted = reader.want(1); !wanted) return wanted;
      const void* end = std::memchr(reader.data(), 0, reader.buffered());
      if (end == nullptr) {
        // The string continues past what is buffered: read on.
        if (auto wanted = reader.want(reader.buffered() + 1); !wanted) return wanted;
        continue;
      }
      size_t length = static_cast<size_t>(static_cast<const char*>(end) - reader.data());
      names.found(std::string_view(reader.data(), length), reader.offset());
      if (auto skipped = reader.skip(length + 1); !skipped) return skipped;
    }
    return {};
  }

  // One pass over the type section: where every record starts (for type() below), and calls
  // `visit(id, header)` for each.
  template <class Visit>
  Result<void> index_types(Visit visit) {
    Result<SectionReader> opened = section(type_section_start(), header_.type_len);
    if (!opened) return tl::unexpected(opened.error());
    SectionReader& reader = *opened;
    record_offsets_.reserve(header_.type_len / 32);  // the records average 30-40 bytes
    for (uint32_t id = 1; !reader.at_end(); ++id) {
      if (auto wanted = reader.want(sizeof(btf_type)); !wanted) return wanted;
      btf_type type;
      std::memcpy(&type, reader.data(), sizeof type);
      std::optional<uint64_t> rest = trailing_bytes(BTF_INFO_KIND(type.info), BTF_INFO_VLEN(type.info));
      if (!rest) return fail("the kernel's BTF has a type kind this program does not know");
      record_offsets_.push_back(static_cast<uint32_t>(reader.offset()));
      if (auto visited = visit(id, type); !visited) return visited;
      if (auto skipped = reader.skip(sizeof(btf_type) + *rest); !skipped) return skipped;
    }
    return {};
  }

  struct Record {
    uint32_t id = 0;
    btf_type header;
    std::vector<btf_member> members;  // for structs and unions
  };

  Result<Record> type(uint32_t id) const {
    if (id == 0 || id > record_offsets_.size()) return fail("the kernel's BTF refers to a type it lacks");
    Record record;
    record.id = id;
    off_t at = static_cast<off_t>(type_section_start() + record_offsets_[id - 1]);
    if (auto read = read_exactly(&record.header, sizeof record.header, at); !read) return tl::unexpected(read.error());
    if (is_struct_or_union(BTF_INFO_KIND(record.header.info))) {
      record.members.resize(BTF_INFO_VLEN(record.header.info));
      size_t bytes = record.members.size() * sizeof(btf_member);
      if (auto read = read_exactly(record.members.data(), bytes, at + static_cast<off_t>(sizeof record.header)); !read) {
        return tl::unexpected(read.error());
      }
    }
    return record;
  }

  // Through typedefs and qualifiers to the type they stand for.
  Result<Record> resolve(uint32_t id) const {
    for (int step = 0; step < kMaxNesting; ++step) {
      Result<Record> record = type(id);
      if (!record || !is_alias(BTF_INFO_KIND(record->header.info))) return record;
      id = record->header.type;
    }
    return fail("the kernel's BTF has a typedef chain too long to follow");
  }

  Result<uint32_t> size_of(uint32_t id) const {
    Result<Record> record = resolve(id);
    if (!record) return tl::unexpected(record.error());
    switch (BTF_INFO_KIND(record->header.info)) {
      case BTF_KIND_PTR:
        return uint32_t{sizeof(uint64_t)};  // BPF's pointers are 64-bit
      case BTF_KIND_INT:
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64:
      case BTF_KIND_STRUCT:
      case BTF_KIND_UNION:
      case BTF_KIND_FLOAT:
        return record->header.size;
      default:
        return fail("the kernel's BTF gives a member a type without a size");
    }
  }

  // The member named by string offset `name` of struct `id`, looking inside anonymous members.
  Result<std::optional<FieldLocation>> find_member(uint32_t id, uint32_t name, uint32_t base, int depth) const {
    if (depth > kMaxNesting) return fail("the kernel's BTF nests anonymous structs too deep");
    Result<Record> record = type(id);
    if (!record) return tl::unexpected(record.error());
    bool bit_offsets = BTF_INFO_KFLAG(record->header.info) != 0;
    for (const btf_member& member : record->members) {
      uint32_t bit_offset = bit_offsets ? BTF_MEMBER_BIT_OFFSET(member.offset) : member.offset;
      uint32_t offset = base + bit_offset / 8;
      if (member.name_off == name) {
        if ((bit_offsets && BTF_MEMBER_BITFIELD_SIZE(member.offset) != 0) || bit_offset % 8 != 0) {
          return fail("a member asked for is a bit field");
        }
        Result<uint32_t> size = size_of(member.type);
        if (!size) return tl::unexpected(size.error());
        return FieldLocation{offset, *size};
      }
      if (member.name_off != 0) continue;
      Result<Record> inner = resolve(member.type);
      if (!inner) return tl::unexpected(inner.error());
      if (!is_struct_or_union(BTF_INFO_KIND(inner->header.info))) continue;
      Result<std::optional<FieldLocation>> found = find_member(inner->id, name, offset, depth + 1);
      if (!found || *found) return found;
    }
    return std::nullopt;
  }

 private:
  // munmap()s on destruction.
  struct Unmap {
    size_t length;
    void operator()(const char* start) const { ::munmap(const_cast<char*>(start), length); }
  };
  using Mapping = std::unique_ptr<const char, Unmap>;

  uint64_t type_section_start() const { return uint64_t{header_.hdr_len} + header_.type_off; }

  Result<SectionReader> section(uint64_t start, uint64_t length) const {
    if (!mapping_) return SectionReader(file_.get(), start, length);
    if (start > mapping_.get_deleter().length || length > mapping_.get_deleter().length - start) {
      return fail("the kernel's BTF is shorter than its header says");
    }
    return SectionReader(std::span<const char>(mapping_.get() + start, length));
  }

  Result<void> read_exactly(void* into, size_t size, off_t at) const {
    if (mapping_) {
      if (static_cast<uint64_t>(at) > mapping_.get_deleter().length || size > mapping_.get_deleter().length - static_cast<uint64_t>(at)) {
        return fail("the kernel's BTF ends inside a record");
      }
      std::memcpy(into, mapping_.get() + at, size);
      return {};
    }
    ssize_t got = pread(file_.get(), into, size, at);
    if (got < 0) return fail_errno("reading the kernel's BTF");
    if (static_cast<size_t>(got) != size) return fail("the kernel's BTF ends inside a record");
    return {};
  }

  UniqueFd file_;
  Mapping mapping_{nullptr, Unmap{0}};
  btf_header header_{};
  std::vector<uint32_t> record_offsets_;  // type id - 1 -> offset in the type section
};

}  // namespace

Result<KernelLayout> read_kernel_layout(const std::string& btf_path, std::string_view function,
                                        std::span<const FieldQuery> fields, BtfAccess access) {
  Result<KernelBtf> btf = KernelBtf::open(btf_path, access);
  if (!btf) return tl::unexpected(btf.error());

  NameTable names;
  names.add(function);
  for (const FieldQuery& field : fields) {
    names.add(field.type);
    names.add(field.member);
  }
  if (auto found = btf->find_strings(names); !found) return tl::unexpected(found.error());
  if (names.repeated()) return fail("the kernel's BTF holds a name twice in its strings (not deduplicated)");
  auto missing = [](std::string what) { return fail("the kernel's BTF has no " + what); };
  uint32_t function_name = names.offset_of(function);
  if (function_name == 0) return missing(std::string(function));
  for (const FieldQuery& field : fields) {
    if (names.offset_of(field.type) == 0) return missing("struct " + std::string(field.type));
    if (names.offset_of(field.member) == 0) return missing(std::string(field.type) + "." + std::string(field.member));
  }

  KernelLayout layout;
  std::vector<uint32_t> struct_names;
  for (const FieldQuery& field : fields) struct_names.push_back(names.offset_of(field.type));
  std::vector<uint32_t> struct_ids(fields.size(), 0);
  auto indexed = btf->index_types([&](uint32_t id, const btf_type& type) -> Result<void> {
    uint32_t kind = BTF_INFO_KIND(type.info);
    if (kind == BTF_KIND_FUNC && type.name_off == function_name) {
      if (layout.function_id != 0) return fail("the kernel's BTF has two functions named " + std::string(function));
      layout.function_id = id;
    }
    if (!is_struct_or_union(kind) || BTF_INFO_VLEN(type.info) == 0) return {};
    for (size_t i = 0; i < fields.size(); ++i) {
      if (type.name_off != struct_names[i]) continue;
      // Two different definitions under one name: which one the kernel means is unknowable.
      if (struct_ids[i] != 0 && struct_ids[i] != id) {
        return fail("the kernel's BTF has two structs named " + std::string(fields[i].type));
      }
      struct_ids[i] = id;
    }
    return {};
  });
  if (!indexed) return tl::unexpected(indexed.error());
  if (layout.function_id == 0) return missing("function " + std::string(function));

  for (size_t i = 0; i < fields.size(); ++i) {
    if (struct_ids[i] == 0) return missing("struct " + std::string(fields[i].type));
    Result<std::optional<FieldLocation>> field = btf->find_member(struct_ids[i], names.offset_of(fields[i].member), 0, 0);
    if (!field) return tl::unexpected(field.error());
    if (!*field) return missing(std::string(fields[i].type) + "." + std::string(fields[i].member));
    layout.fields.push_back(**field);
  }
  return layout;
}

}  // namespace sockscope::bpf
