#include "output/json_printer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace dbk::cli {
namespace {

void append_hex4(std::string& out, unsigned value) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "\\u%04x", value & 0xFFFFu);
  out += buffer;
}

// Decodes one UTF-8 sequence at `i`; invalid bytes come back as U+FFFD, which
// is what Python would hold after decoding with errors="replace".
unsigned decode_utf8(const std::string& s, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c = byte(i);
  int extra = 0;
  unsigned code = 0;
  if (c < 0x80) {
    ++i;
    return c;
  } else if ((c & 0xE0) == 0xC0) {
    extra = 1;
    code = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    code = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    code = c & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    if (i + k >= s.size() || (byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    code = (code << 6) | (byte(i + k) & 0x3F);
  }
  i += extra + 1;
  return code;
}

void append_string(std::string& out, const std::string& s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7F) {
      if (c == '"') {
        out += "\\\"";
      } else if (c == '\\') {
        out += "\\\\";
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    unsigned code = decode_utf8(s, i);
    switch (code) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (code > 0xFFFF) {
          unsigned v = code - 0x10000;
          append_hex4(out, 0xD800 | (v >> 10));
          append_hex4(out, 0xDC00 | (v & 0x3FF));
        } else {
          append_hex4(out, code);
        }
    }
  }
  out += '"';
}

// `pretty`: json.dumps(indent=2); otherwise json.dumps() with its default ", " / ": ".
template <typename Json>
void append_value(std::string& out, const Json& value, int level, bool pretty = true) {
  auto newline = [&](int depth) {
    out += '\n';
    out.append(static_cast<std::size_t>(depth) * 2, ' ');
  };
  switch (value.type()) {
    case nlohmann::json::value_t::object: {
      if (value.empty()) {
        out += "{}";
        return;
      }
      out += '{';
      bool first = true;
      for (auto it = value.begin(); it != value.end(); ++it) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        if (pretty) newline(level + 1);
        append_string(out, it.key());
        out += ": ";
        append_value(out, it.value(), level + 1, pretty);
      }
      if (pretty) newline(level);
      out += '}';
      return;
    }
    case nlohmann::json::value_t::array: {
      if (value.empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const auto& item : value) {
        if (!first) out += pretty ? "," : ", ";
        first = false;
        if (pretty) newline(level + 1);
        append_value(out, item, level + 1, pretty);
      }
      if (pretty) newline(level);
      out += ']';
      return;
    }
    case nlohmann::json::value_t::string:
      append_string(out, value.template get_ref<const std::string&>());
      return;
    case nlohmann::json::value_t::boolean:
      out += value.template get<bool>() ? "true" : "false";
      return;
    case nlohmann::json::value_t::number_integer:
      out += std::to_string(value.template get<std::int64_t>());
      return;
    case nlohmann::json::value_t::number_unsigned:
      out += std::to_string(value.template get<std::uint64_t>());
      return;
    case nlohmann::json::value_t::number_float:
      out += python_float_repr(value.template get<double>());
      return;
    case nlohmann::json::value_t::binary:
    case nlohmann::json::value_t::discarded:
    case nlohmann::json::value_t::null:
      out += "null";
      return;
  }
}

}  // namespace

std::string python_float_repr(double number) {
  if (std::isnan(number)) return "NaN";
  if (std::isinf(number)) return number > 0 ? "Infinity" : "-Infinity";
  if (number == 0) return std::signbit(number) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Python's layout rule (float_repr_style
  // "short"): scientific when the decimal exponent is < -4 or >= 16.
  char buffer[64];
  auto result =
      std::to_chars(buffer, buffer + sizeof buffer, number, std::chars_format::scientific);
  std::string sci(buffer, result.ptr);
  bool negative = sci[0] == '-';
  if (negative) sci.erase(0, 1);
  auto e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  std::string out = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char exp_buffer[16];
    std::snprintf(exp_buffer, sizeof exp_buffer, "e%c%02d", exponent < 0 ? '-' : '+',
                  std::abs(exponent));
    out += exp_buffer;
    return out;
  }
  if (exponent < 0) {
    out += "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    return out;
  }
  auto integer_digits = static_cast<std::size_t>(exponent) + 1;
  if (digits.size() <= integer_digits) {
    out += digits + std::string(integer_digits - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, integer_digits) + "." + digits.substr(integer_digits);
  }
  return out;
}

std::string to_python_json(const nlohmann::ordered_json& value) {
  std::string out;
  append_value(out, value, 0);
  return out;
}

std::string to_python_json(const nlohmann::json& value) {
  std::string out;
  append_value(out, value, 0);
  return out;
}

std::string to_python_json_compact(const nlohmann::ordered_json& value) {
  std::string out;
  append_value(out, value, 0, false);
  return out;
}

namespace {

// repr() of a str: single quotes unless the text has ' and no "; \\, the quote, \n, \r,
// \t and other control characters escaped; other characters as they are.
std::string python_string_repr(const std::string& text) {
  const bool double_quotes =
      text.find('\'') != std::string::npos && text.find('"') == std::string::npos;
  const char quote = double_quotes ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : text) {
    if (c == '\\' || c == static_cast<unsigned char>(quote)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      static const char* kHex = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += quote;
  return out;
}

}  // namespace

std::string python_repr(const nlohmann::ordered_json& value) {
  switch (value.type()) {
    case nlohmann::ordered_json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (const auto& item : value.items()) {
        if (!first) out += ", ";
        first = false;
        out += python_string_repr(item.key()) + ": " + python_repr(item.value());
      }
      return out + "}";
    }
    case nlohmann::ordered_json::value_t::array: {
      std::string out = "[";
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (i > 0) out += ", ";
        out += python_repr(value[i]);
      }
      return out + "]";
    }
    case nlohmann::ordered_json::value_t::string:
      return python_string_repr(value.get<std::string>());
    case nlohmann::ordered_json::value_t::boolean:
      return value.get<bool>() ? "True" : "False";
    case nlohmann::ordered_json::value_t::number_float:
      return python_float_repr(value.get<double>());
    case nlohmann::ordered_json::value_t::null:
    case nlohmann::ordered_json::value_t::discarded:
      return "None";
    default:
      return value.dump();  // integers
  }
}

}  // namespace dbk::cli
