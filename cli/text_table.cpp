#include "cli/text_table.h"

#include <algorithm>
#include <cassert>
#include <utility>

namespace scoville::cli {

TextTable::TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

void TextTable::add_row(std::vector<std::string> cells) {
  assert(cells.size() == headers_.size());
  cells.resize(headers_.size());
  rows_.push_back(std::move(cells));
}

std::string TextTable::to_text() const {
  std::vector<std::size_t> widths(headers_.size());
  for (std::size_t c = 0; c < headers_.size(); ++c) {
    widths[c] = headers_[c].size();
    for (const auto& row : rows_) widths[c] = std::max(widths[c], row[c].size());
  }

  auto render = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const std::string padding(widths[c] - cells[c].size(), ' ');
      if (c > 0) line += "  ";
      line += c == 0 ? cells[c] + padding : padding + cells[c];
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };

  std::string text = render(headers_);
  std::size_t rule_width = 0;
  for (std::size_t w : widths) rule_width += w;
  rule_width += 2 * (widths.empty() ? 0 : widths.size() - 1);
  text += std::string(rule_width, '-') + "\n";
  for (const auto& row : rows_) text += render(row);
  return text;
}

std::string csv_escape(const std::string& field) {
  if (field.find_first_of(",\"\n\r") == std::string::npos) {
    return field;
  }
  std::string quoted = "\"";
  for (char c : field) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string TextTable::to_csv() const {
  auto render = [](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) line += ',';
      line += csv_escape(cells[c]);
    }
    return line + "\n";
  };
  std::string text = render(headers_);
  for (const auto& row : rows_) text += render(row);
  return text;
}

}  // namespace scoville::cli
