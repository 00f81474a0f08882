#include "cli/html_page.h"

#include <array>

#include <fmt/format.h>

namespace scoville::cli {
namespace {

constexpr std::string_view kStyle = R"(
body { font-family: system-ui, sans-serif; color: #222; max-width: 960px; margin: 2em auto;
       padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
.headline { font-size: 1.1em; }
table { border-collapse: collapse; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: left; }
th { border-bottom: 2px solid #999; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
svg { display: block; width: 100%; max-width: 720px; height: auto; }
svg text { font-size: 12px; fill: #333; } svg .title { font-size: 13px; }
.axis { stroke: #333; } .grid { stroke: #e6e6e6; } .before { stroke: #666; stroke-dasharray: 6 4; }
)";

std::string table_row(const std::vector<std::string>& cells, std::size_t text_columns,
                      std::string_view tag) {
  std::string row = "<tr>";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    row += fmt::format("<{0}{1}>{2}</{0}>", tag, i < text_columns ? "" : " class=\"num\"",
                       html_escape(cells[i]));
  }
  return row + "</tr>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
  constexpr std::string_view kSpecial = "&<>\"'";
  constexpr std::array<std::string_view, 5> kEntities = {"&amp;", "&lt;", "&gt;", "&quot;",
                                                         "&#39;"};
  std::string out;
  for (const char& c : text) {
    const std::size_t i = kSpecial.find(c);
    out += i == std::string_view::npos ? std::string_view(&c, 1) : kEntities[i];
  }
  return out;
}

std::string html_page(std::string_view title, std::string_view body, std::string_view extra_style) {
  return fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>{0}</title>\n<style>{1}{2}</style>\n</head>\n<body>\n<h1>{0}</h1>\n{3}</body>\n"
      "</html>\n",
      html_escape(title), kStyle, extra_style, body);
}

std::string html_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows,
                       std::size_t text_columns) {
  std::string html =
      "<table>\n<thead>\n" + table_row(headers, text_columns, "th") + "</thead>\n<tbody>\n";
  for (const std::vector<std::string>& row : rows) html += table_row(row, text_columns, "td");
  return html + "</tbody>\n</table>\n";
}

std::string html_list_section(std::string_view heading, const std::vector<std::string>& items) {
  if (items.empty()) {
    return "";
  }
  std::string html = "<h2>" + html_escape(heading) + "</h2>\n<ul>\n";
  for (const std::string& item : items) html += "<li>" + html_escape(item) + "</li>\n";
  return html + "</ul>\n";
}

}  // namespace scoville::cli
