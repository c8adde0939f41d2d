// SPDX-License-Identifier: BSL-1.0
#include "json.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace futon_bench {

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(ch));
          out += escaped;
        } else {
          out += ch;  // UTF-8 passes through as it is
        }
    }
  }
  return out + "\"";
}

std::string json_number(double value) {
  if (!std::isfinite(value)) return "null";
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

const json_value* json_value::member(std::string_view key) const {
  if (type != kind::object) return nullptr;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

double json_value::as_number() const {
  return type == kind::number ? number : std::numeric_limits<double>::quiet_NaN();
}

namespace {

// A recursive-descent parser over the whole text; depth-limited so that a hostile file cannot
// exhaust the stack.
class parser {
 public:
  explicit parser(std::string_view text) : text_(text) {}

  std::optional<json_value> document(std::string& error) {
    json_value v;
    if (value(v, 0)) {
      skip_space();
      if (at_ < text_.size()) fail("text after the JSON value");
    }
    if (!error_.empty()) {
      error = "line " + std::to_string(line()) + ": " + error_;
      return std::nullopt;
    }
    return v;
  }

 private:
  bool fail(const char* why) {
    if (error_.empty()) error_ = why;
    return false;
  }

  int line() const {
    int n = 1;
    for (std::size_t i = 0; i < at_ && i < text_.size(); ++i)
      n += text_[i] == '\n';
    return n;
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\n' || text_[at_] == '\r'))
      ++at_;
  }

  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return fail("unknown literal");
    at_ += word.size();
    return true;
  }

  bool value(json_value& v, int depth) {
    if (depth > 64) return fail("nested too deeply");
    skip_space();
    if (at_ >= text_.size()) return fail("unexpected end of text");
    const char ch = text_[at_];
    if (ch == '{') return object(v, depth);
    if (ch == '[') return array(v, depth);
    if (ch == '"') {
      v.type = json_value::kind::string;
      return string(v.text);
    }
    if (ch == 't' || ch == 'f') {
      v.type = json_value::kind::boolean;
      v.boolean = ch == 't';
      return literal(ch == 't' ? "true" : "false");
    }
    if (ch == 'n') {
      v.type = json_value::kind::null;
      return literal("null");
    }
    return number(v);
  }

  bool number(json_value& v) {
    // RFC 8259's grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    const std::size_t start = at_;
    const auto digits = [&] {
      const std::size_t from = at_;
      while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9')
        ++at_;
      return at_ > from;
    };
    if (at_ < text_.size() && text_[at_] == '-') ++at_;
    if (at_ < text_.size() && text_[at_] == '0') {
      ++at_;
    } else if (!digits()) {
      return fail("expected a value");
    }
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      if (!digits()) return fail("expected digits after '.'");
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      if (!digits()) return fail("expected an exponent");
    }
    // strtod, not std::from_chars: libc++ 14 has no floating-point from_chars.
    const std::string digits_text(text_.substr(start, at_ - start));
    v.type = json_value::kind::number;
    v.number = std::strtod(digits_text.c_str(), nullptr);
    return true;
  }

  bool hex4(unsigned& code) {
    if (at_ + 4 > text_.size()) return fail("short \\u escape");
    code = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[at_++];
      code <<= 4;
      if (h >= '0' && h <= '9')
        code |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        code |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        code |= static_cast<unsigned>(h - 'A' + 10);
      else
        return fail("bad \\u escape");
    }
    return true;
  }

  static void append_utf8(std::string& out, unsigned code) {
    if (code < 0x80) {
      out += static_cast<char>(code);
    } else if (code < 0x800) {
      out += static_cast<char>(0xC0 | (code >> 6));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else if (code < 0x10000) {
      out += static_cast<char>(0xE0 | (code >> 12));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (code >> 18));
      out += static_cast<char>(0x80 | ((code >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (code & 0x3F));
    }
  }

  bool string(std::string& out) {
    ++at_;  // the opening quote
    while (at_ < text_.size()) {
      const char ch = text_[at_++];
      if (ch == '"') return true;
      if (static_cast<unsigned char>(ch) < 0x20) return fail("control character in a string");
      if (ch != '\\') {
        out += ch;
        continue;
      }
      if (at_ >= text_.size()) break;
      const char e = text_[at_++];
      switch (e) {
        case '"':
          out += '"';
          break;
        case '\\':
          out += '\\';
          break;
        case '/':
          out += '/';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned code = 0;
          if (!hex4(code)) return false;
          // A surrogate pair: two escapes for one code point above U+FFFF.
          if (code >= 0xD800 && code < 0xDC00 && text_.substr(at_, 2) == "\\u") {
            at_ += 2;
            unsigned low = 0;
            if (!hex4(low)) return false;
            if (low < 0xDC00 || low >= 0xE000) return fail("bad surrogate pair");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, code);
          break;
        }
        default:
          return fail("bad escape in a string");
      }
    }
    return fail("unterminated string");
  }

  // Consumes `c` if it is the next character.
  bool eat(char c) {
    if (at_ >= text_.size() || text_[at_] != c) return false;
    ++at_;
    return true;
  }

  bool array(json_value& v, int depth) {
    v.type = json_value::kind::array;
    ++at_;
    skip_space();
    if (eat(']')) return true;
    for (;;) {
      v.items.emplace_back();
      if (!value(v.items.back(), depth + 1)) return false;
      skip_space();
      if (eat(',')) continue;
      if (eat(']')) return true;
      return fail("expected ',' or ']'");
    }
  }

  bool object(json_value& v, int depth) {
    v.type = json_value::kind::object;
    ++at_;
    skip_space();
    if (eat('}')) return true;
    for (;;) {
      skip_space();
      if (at_ >= text_.size() || text_[at_] != '"') return fail("expected a key");
      v.keys.emplace_back();
      if (!string(v.keys.back())) return false;
      skip_space();
      if (at_ >= text_.size() || text_[at_] != ':') return fail("expected ':'");
      ++at_;
      v.items.emplace_back();
      if (!value(v.items.back(), depth + 1)) return false;
      skip_space();
      if (eat(',')) continue;
      if (eat('}')) return true;
      return fail("expected ',' or '}'");
    }
  }

  std::string_view text_;
  std::size_t at_ = 0;
  std::string error_;
};

}  // namespace

std::optional<json_value> parse_json(std::string_view text, std::string& error) {
  return parser(text).document(error);
}

}  // namespace futon_bench
