#pragma once

#include <filesystem>
#include <string_view>

namespace scoville::test_support {

// A fresh directory under the system's temporary directory, removed with everything in it when
// the object goes out of scope, so each test case writes its input files where no other test
// (or a parallel run of the same one) can see them.
class TempDir {
 public:
  // Throws std::system_error when the directory cannot be created.
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();

  const std::filesystem::path& path() const { return path_; }

  // Writes `contents` to the file `name` in the directory and returns its full path. Throws
  // std::system_error when the file cannot be written.
  std::filesystem::path write_file(std::string_view name, std::string_view contents) const;

 private:
  std::filesystem::path path_;
};

}  // namespace scoville::test_support
