// SPDX-License-Identifier: BSL-1.0
// Just enough JSON for futon-bench's results file: writing strings and numbers, and reading the
// file back (--baseline). A number that is not finite (a figure this OS cannot give, such as
// context switches on Windows) is written as null and read back as NaN.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace futon_bench {

// "text" with JSON's escapes.
std::string json_string(std::string_view text);
// A number that reads back exactly (17 significant digits), or null when not finite.
std::string json_number(double value);

struct json_value {
  enum class kind { null, boolean, number, string, array, object };
  kind type = kind::null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<json_value> items;  // an array's elements, or an object's values
  std::vector<std::string> keys;  // an object's keys, in order (items[i] is keys[i]'s value)

  // An object's member, or nullptr (also when this is not an object).
  const json_value* member(std::string_view key) const;
  // The number, or NaN for null and anything else.
  double as_number() const;
};

// Parses one JSON document (RFC 8259, whitespace around it allowed); nullopt and `error` set
// ("line 3: expected ':'") if it is not well-formed.
std::optional<json_value> parse_json(std::string_view text, std::string& error);

}  // namespace futon_bench
