#pragma once

#include <string>
#include <vector>

namespace scoville::cli {

// A table of already formatted cells, rendered as aligned text for terminals or as CSV for
// spreadsheets. Columns after the first are right-aligned (they hold numbers).
class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers);

  void add_row(std::vector<std::string> cells);

  std::string to_text() const;
  std::string to_csv() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Quotes a CSV field when it holds a comma, quote or newline.
std::string csv_escape(const std::string& field);

}  // namespace scoville::cli
