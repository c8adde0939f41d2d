// SPDX-License-Identifier: BSL-1.0
// A table of strings, rendered as aligned text for the console or as Markdown for the report.
#pragma once

#include <string>
#include <vector>

namespace futon_bench {

struct text_table {
  std::vector<std::string> header;
  std::vector<bool> numeric;  // per column: right-aligned (numbers) or left-aligned
  std::vector<std::vector<std::string>> rows;

  std::string to_text(const std::string& indent = "  ") const;
  std::string to_markdown() const;
};

}  // namespace futon_bench
