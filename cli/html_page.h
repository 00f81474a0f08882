#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace scoville::cli {

// The building blocks of the self-contained HTML reports: escaping, the page around a body,
// tables and lists. Everything returned is markup; everything passed as text is escaped here.

// `text` with &, <, >, " and ' replaced by entities, safe in element content and in quoted
// attribute values.
std::string html_escape(std::string_view text);

// A whole HTML5 page: the shared style sheet followed by `extra_style` (CSS, written as given),
// `title` as both the document title and the first heading, then `body` (markup, written as
// given).
std::string html_page(std::string_view title, std::string_view body,
                      std::string_view extra_style = "");

// A table with a header row; cells from column `text_columns` on hold numbers and align right.
std::string html_table(const std::vector<std::string>& headers,
                       const std::vector<std::vector<std::string>>& rows, std::size_t text_columns);

// A second-level heading and a bulleted list of `items`, or nothing when there are none.
std::string html_list_section(std::string_view heading, const std::vector<std::string>& items);

}  // namespace scoville::cli
