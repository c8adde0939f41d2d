// SPDX-License-Identifier: BSL-1.0
#include "text_table.hpp"

#include <algorithm>

namespace futon_bench {

namespace {

bool is_numeric(const text_table& t, std::size_t column) {
  return column < t.numeric.size() && t.numeric[column];
}

}  // namespace

std::string text_table::to_text(const std::string& indent) const {
  std::vector<std::size_t> width(header.size(), 0);
  for (std::size_t c = 0; c < header.size(); ++c)
    width[c] = header[c].size();
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < width.size(); ++c)
      width[c] = std::max(width[c], row[c].size());
  }
  const auto line = [&](const std::vector<std::string>& cells) {
    std::string text = indent;
    for (std::size_t c = 0; c < width.size(); ++c) {
      const std::string cell = c < cells.size() ? cells[c] : "";
      const std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
      if (c > 0) text += "  ";
      text += is_numeric(*this, c) ? pad + cell : cell + pad;
    }
    while (!text.empty() && text.back() == ' ')
      text.pop_back();
    return text + "\n";
  };
  std::string text = line(header);
  std::vector<std::string> rule;
  for (const auto w : width)
    rule.emplace_back(w, '-');
  text += line(rule);
  for (const auto& row : rows)
    text += line(row);
  return text;
}

std::string text_table::to_markdown() const {
  const auto line = [](const std::vector<std::string>& cells, std::size_t columns) {
    std::string text = "|";
    for (std::size_t c = 0; c < columns; ++c) {
      std::string cell = c < cells.size() ? cells[c] : "";
      // A '|' inside a cell would end it.
      for (std::size_t at = cell.find('|'); at != std::string::npos; at = cell.find('|', at + 2))
        cell.replace(at, 1, "\\|");
      text += " " + cell + " |";
    }
    return text + "\n";
  };
  std::string text = line(header, header.size());
  text += "|";
  for (std::size_t c = 0; c < header.size(); ++c)
    text += is_numeric(*this, c) ? "---:|" : "---|";
  text += "\n";
  for (const auto& row : rows)
    text += line(row, header.size());
  return text;
}

}  // namespace futon_bench
