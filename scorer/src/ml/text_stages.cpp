// Spark ML's string-list transformers (docs/scorer.md, "Text stages"): Tokenizer, RegexTokenizer,
// StopWordsRemover and NGram. Java's String works in UTF-16, so the text is matched, lowercased
// and measured in UTF-16 through ICU, whose regular expressions follow java.util.regex; the
// constructs where the two differ are translated (Java's ASCII-only \d \s \w and `.`) or refused.

#include <unicode/uregex.h>
#include <unicode/ustring.h>

#include <algorithm>
#include <memory>
#include <set>

#include "ml/feature_stage.hpp"
#include "ml/text_lists.hpp"
#include "ml/text_unicode.hpp"

namespace dbk::scorer::detail {
namespace {

// Java's \s, \d, \w (without UNICODE_CHARACTER_CLASS) as ICU class members.
constexpr const char* kJavaSpace = "\\x{20}\\t\\n\\x{0B}\\f\\r";
constexpr const char* kJavaDigit = "0-9";
constexpr const char* kJavaWord = "a-zA-Z_0-9";

bool is_ascii_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// An ASCII character as an ICU literal, escaped unless it is a letter or digit.
std::string icu_literal(char c) {
  if (is_ascii_alnum(c) || static_cast<unsigned char>(c) >= 0x80) return std::string(1, c);
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%02X}", static_cast<unsigned char>(c));
  return buf;
}

bool general_category(const std::string& name) {
  static const std::set<std::string> kCategories = {
      "L",  "Lu", "Ll", "Lt", "Lm", "Lo", "M",  "Mn", "Mc", "Me", "N",  "Nd",
      "Nl", "No", "P",  "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "S",  "Sm",
      "Sc", "Sk", "So", "Z",  "Zs", "Zl", "Zp", "C",  "Cc", "Cf", "Co", "Cn"};
  return kCategories.count(name) != 0;
}

}  // namespace

// Rewrites a java.util.regex pattern for ICU. Returns false with `construct` naming the first
// construct whose Java meaning ICU would not reproduce exactly.
bool java_regex_to_icu(const std::string& p, std::string& out, std::string& construct) {
  out.clear();
  bool in_class = false;
  bool class_start = false;  // just after '[' or '[^'
  bool prev_single = false;  // in a class: the previous member was one character (a range start)
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    const bool first_in_class = class_start;
    class_start = false;
    if (c == '\\') {
      if (i + 1 >= p.size()) {
        construct = "a trailing backslash";
        return false;
      }
      const char e = p[++i];
      std::string member;  // in a class: the members this escape stands for
      bool single = false;
      switch (e) {
        case 'd':
          member = kJavaDigit;
          break;
        case 's':
          member = kJavaSpace;
          break;
        case 'w':
          member = kJavaWord;
          break;
        case 'D':
        case 'S':
        case 'W':
          if (in_class) {
            construct = std::string("\\") + e + " inside a character class";
            return false;
          }
          out += std::string("[^") +
                 (e == 'D'   ? kJavaDigit
                  : e == 'S' ? kJavaSpace
                             : kJavaWord) +
                 "]";
          prev_single = false;
          continue;
        case 'p':
        case 'P': {
          std::string name;
          if (i + 1 < p.size() && p[i + 1] == '{') {
            const auto close = p.find('}', i + 2);
            if (close != std::string::npos) name = p.substr(i + 2, close - i - 2);
            if (!general_category(name)) {
              construct = std::string("\\") + e + "{" + name + "}";
              return false;
            }
            i = close;
          } else if (i + 1 < p.size() && general_category(std::string(1, p[i + 1]))) {
            name = std::string(1, p[++i]);
          } else {
            construct = std::string("\\") + e;
            return false;
          }
          out += std::string("\\") + e + "{" + name + "}";
          prev_single = false;
          continue;
        }
        case 't':
        case 'n':
        case 'r':
        case 'f':
        case 'a':
        case 'e':
          member = std::string("\\") + e;
          single = true;
          break;
        case 'x':
        case 'u': {
          // \xhh, \x{h...h}, \uhhhh: the same in both.
          std::size_t end = i + 1;
          if (e == 'x' && end < p.size() && p[end] == '{') {
            end = p.find('}', end);
            if (end == std::string::npos) {
              construct = "an unterminated \\x{";
              return false;
            }
            ++end;
          } else {
            end += e == 'x' ? 2 : 4;
          }
          if (end > p.size()) {
            construct = std::string("a short \\") + e + " escape";
            return false;
          }
          member = "\\" + p.substr(i, end - i);
          i = end - 1;
          single = true;
          break;
        }
        case 'Q': {  // quoted up to \E: every character literal
          auto end = p.find("\\E", i + 1);
          const std::string quoted =
              p.substr(i + 1, end == std::string::npos ? std::string::npos : end - i - 1);
          if (in_class) {
            construct = "\\Q inside a character class";
            return false;
          }
          for (char q : quoted) out += icu_literal(q);
          i = end == std::string::npos ? p.size() : end + 1;
          prev_single = false;
          continue;
        }
        default:
          if (e >= '1' && e <= '9' && !in_class &&
              (i + 1 >= p.size() || p[i + 1] < '0' || p[i + 1] > '9')) {
            out += std::string("\\") + e;  // a back reference to groups 1-9
            continue;
          }
          if (is_ascii_alnum(e)) {
            construct = std::string("\\") + e;
            return false;
          }
          member = static_cast<unsigned char>(e) >= 0x80 ? std::string(1, e) : icu_literal(e);
          single = true;
          break;
      }
      if (in_class) {
        out += member;
      } else {
        out += single ? member : "[" + member + "]";
      }
      prev_single = single;
      continue;
    }
    if (in_class) {
      if (c == ']' && !first_in_class) {
        out += ']';
        in_class = false;
        prev_single = false;
        continue;
      }
      if (c == '[' || c == '&' || c == '{' || c == '$' || (c == ']' && first_in_class) ||
          (c == ':' && first_in_class)) {
        construct = std::string("'") + c + "' inside a character class";
        return false;
      }
      if (c == '^' && first_in_class && out.back() == '[') {
        out += '^';
        class_start = true;
        continue;
      }
      if (c == '-') {
        const bool last = i + 1 < p.size() && p[i + 1] == ']';
        if (first_in_class || last) {
          out += "\\x{2D}";
          prev_single = true;
          continue;
        }
        if (!prev_single || p[i + 1] == '[' || p[i + 1] == '-' ||
            (p[i + 1] == '\\' && i + 2 < p.size() &&
             std::string("dswDSWpPQ").find(p[i + 2]) != std::string::npos)) {
          construct = "a '-' that is not between two characters in a character class";
          return false;
        }
        out += '-';
        prev_single = false;  // the range's end follows
        continue;
      }
      out += icu_literal(c);
      prev_single = true;
      continue;
    }
    switch (c) {
      case '[':
        in_class = true;
        class_start = true;
        prev_single = false;
        out += '[';
        break;
      case '.':  // Java's `.` stops at \n \r \u0085 \u2028 \u2029; ICU's also at \x0B and \f
        out += "[^\\n\\r\\x{85}\\x{2028}\\x{2029}]";
        break;
      case '$':
        construct = "$ (Java's end of input before a final line terminator)";
        return false;
      case '(':
        if (i + 1 < p.size() && p[i + 1] == '?') {
          const std::string rest = p.substr(i + 2, 2);
          if (rest.rfind(':', 0) == 0 || rest.rfind('=', 0) == 0 || rest.rfind('!', 0) == 0 ||
              rest.rfind('>', 0) == 0 || rest == "<=" || rest == "<!") {
            out += '(';
            break;
          }
          construct = "(?" + p.substr(i + 2, 1) + " (inline flags or named groups)";
          return false;
        }
        out += '(';
        break;
      default:
        out += c;
        break;
    }
  }
  if (in_class) {
    construct = "an unclosed character class";
    return false;
  }
  return true;
}

namespace {

struct RegexCloser {
  void operator()(URegularExpression* re) const { uregex_close(re); }
};
using Regex = std::unique_ptr<URegularExpression, RegexCloser>;

// ICU match steps before a row is refused (on the order of milliseconds each): a pattern that
// backtracks catastrophically gets an error, not a hang.
constexpr std::int32_t kMatchTimeLimit = 20000;

// Tokenizer and RegexTokenizer: Java's Pattern.split (limit 0) or every find(), then tokens of
// at least `min_length` UTF-16 units.
class TokenizerStage : public ColumnStage {
 public:
  std::shared_ptr<URegularExpression> pattern;  // cloned per transform: one matcher per thread
  bool gaps = true;
  std::size_t min_length = 0;
  bool lowercase = true;

  Status transform(Frame& frame) const override {
    if (const Column* in = frame.input_column(input);
        in != nullptr && in->type != ColumnType::kString) {
      return data_error(
          name, "input column '" + input + "' is " + column_type_name(in->type) + ", not a string");
    }
    auto col = frame.strings(input);
    if (!col) return std::move(col).error();
    UErrorCode err = U_ZERO_ERROR;
    Regex re(uregex_clone(pattern.get(), &err));
    if (U_FAILURE(err)) return data_error(name, std::string("ICU: ") + u_errorName(err));
    uregex_setTimeLimit(re.get(), kMatchTimeLimit, &err);
    const std::size_t rows = frame.rows();
    ScoredColumn out = new_string_list_column(output, rows);
    std::vector<std::pair<std::int32_t, std::int32_t>> matches;
    for (std::size_t r = 0; r < rows; ++r) {
      if (!frame.alive()[r]) continue;
      if (!(*col)->valid[r]) {
        return data_error(name, "row " + std::to_string(r) + " of '" + input +
                                    "' is null (Spark fails on a null string)");
      }
      std::u16string text = utf16_of((*col)->strings[r]);
      if (lowercase) text = java_lower(text, "");
      err = U_ZERO_ERROR;
      uregex_setText(re.get(), text.data(), static_cast<std::int32_t>(text.size()), &err);
      matches.clear();
      while (U_SUCCESS(err) && uregex_findNext(re.get(), &err)) {
        matches.emplace_back(uregex_start(re.get(), 0, &err), uregex_end(re.get(), 0, &err));
      }
      if (U_FAILURE(err)) {
        return data_error(name, "row " + std::to_string(r) + ": matching the pattern failed (" +
                                    u_errorName(err) + ")");
      }
      StringList& tokens = out.string_lists[r];
      auto add = [&](std::int32_t from, std::int32_t to) {
        if (static_cast<std::size_t>(to - from) >= min_length) {
          tokens.emplace_back(utf8_of(text.data() + from, static_cast<std::size_t>(to - from)));
        }
      };
      if (gaps) {  // Pattern.split(text, 0)
        std::vector<std::pair<std::int32_t, std::int32_t>> pieces;
        std::int32_t index = 0;
        for (const auto& [s, e] : matches) {
          if (index == 0 && s == 0 && e == 0) continue;  // no leading "" for an empty match
          pieces.emplace_back(index, s);
          index = e;
        }
        if (index == 0) {
          pieces.assign(1, {0, static_cast<std::int32_t>(text.size())});
        } else {
          pieces.emplace_back(index, static_cast<std::int32_t>(text.size()));
          while (!pieces.empty() && pieces.back().first == pieces.back().second) pieces.pop_back();
        }
        for (const auto& [s, e] : pieces) add(s, e);
      } else {
        for (const auto& [s, e] : matches) add(s, e);
      }
      out.valid[r] = 1;
    }
    frame.add(std::move(out));
    return {};
  }
};

Result<std::shared_ptr<URegularExpression>> compile(const StageMeta& meta,
                                                    const std::string& icu_pattern) {
  const std::u16string p = utf16_of(icu_pattern);
  UErrorCode err = U_ZERO_ERROR;
  UParseError where{};
  URegularExpression* re =
      uregex_open(p.data(), static_cast<std::int32_t>(p.size()), 0, &where, &err);
  if (U_FAILURE(err)) {
    if (re != nullptr) uregex_close(re);
    return model_error(meta, "pattern does not compile (" + std::string(u_errorName(err)) + ")");
  }
  return std::shared_ptr<URegularExpression>(re, RegexCloser{});
}

// Each list row through `fn`, for the stages that map a list of strings to one.
template <class Fn>
Status map_lists(Frame& frame, const std::string& stage, const std::string& input,
                 const std::string& output, Fn fn) {
  auto col = live_string_lists(frame, stage, input);
  if (!col) return std::move(col).error();
  const std::size_t rows = frame.rows();
  ScoredColumn out = new_string_list_column(output, rows);
  for (std::size_t r = 0; r < rows; ++r) {
    if (!frame.alive()[r]) continue;
    out.string_lists[r] = fn((*col)->string_lists[r]);
    out.valid[r] = 1;
  }
  frame.add(std::move(out));
  return {};
}

class StopWordsStage : public ColumnsStage {
 public:
  std::set<std::optional<std::string>> stop_words;  // lowercased unless case-sensitive
  bool case_sensitive = false;
  std::string locale;  // ICU locale of Java's toLowerCase(new Locale(param))

  Status transform(Frame& frame) const override {
    for (std::size_t k = 0; k < inputs.size(); ++k) {
      auto st = map_lists(frame, name, inputs[k], outputs[k], [&](const StringList& terms) {
        StringList kept;
        for (const auto& t : terms) {
          const bool stop = case_sensitive || !t ? stop_words.count(t) != 0
                                                 : stop_words.count(lower_utf8(*t, locale)) != 0;
          if (!stop) kept.push_back(t);
        }
        return kept;
      });
      if (!st) return st;
    }
    return {};
  }
};

class NGramStage : public ColumnStage {
 public:
  std::size_t n = 2;

  Status transform(Frame& frame) const override {
    return map_lists(frame, name, input, output, [&](const StringList& terms) {
      StringList grams;
      for (std::size_t i = 0; i + n <= terms.size(); ++i) {
        std::string g;
        for (std::size_t k = 0; k < n; ++k) {
          if (k) g += ' ';
          g += terms[i + k] ? *terms[i + k] : "null";  // Scala's mkString of a null
        }
        grams.emplace_back(std::move(g));
      }
      return grams;
    });
  }
};

Result<std::size_t> count_param(const StageMeta& meta, const std::string& param, double fallback,
                                double min) {
  const double v = meta.double_param(param, fallback);
  if (!(v >= min) || v > 1e9 || v != static_cast<double>(static_cast<std::int64_t>(v))) {
    return model_error(meta, param + " must be an integer of at least " + std::to_string(min));
  }
  return static_cast<std::size_t>(v);
}

LoadResult load_tokenizer_like(const StageMeta& meta, StageInfo& info, bool regex) {
  auto stage = new_stage<TokenizerStage>(meta);
  if (!stage) return std::move(stage).error();
  std::string java = "\\s";
  if (regex) {
    java = meta.string_param("pattern", "\\s+");
    (*stage)->gaps = meta.bool_param("gaps", true);
    (*stage)->lowercase = meta.bool_param("toLowercase", true);
    auto min = count_param(meta, "minTokenLength", 1, 0);
    if (!min) return std::move(min).error();
    (*stage)->min_length = *min;
  }
  std::string icu, construct;
  if (!java_regex_to_icu(java, icu, construct)) {
    return make_error(error_codes::kUnsupportedStage,
                      "unsupported stage: " + meta.class_name + " (" + meta.path +
                          "): its pattern '" + java + "' uses " + construct +
                          ", which the scorer does not reproduce exactly as Java does");
  }
  auto re = compile(meta, icu);
  if (!re) return std::move(re).error();
  (*stage)->pattern = std::move(*re);
  return loaded(std::move(*stage), info);
}

}  // namespace

LoadResult load_tokenizer(const StageMeta& meta, StageInfo& info) {
  return load_tokenizer_like(meta, info, false);
}

LoadResult load_regex_tokenizer(const StageMeta& meta, StageInfo& info) {
  return load_tokenizer_like(meta, info, true);
}

LoadResult load_stop_words_remover(const StageMeta& meta, StageInfo& info) {
  auto stage = new_stage<StopWordsStage>(meta);
  if (!stage) return std::move(stage).error();
  const nlohmann::json* words = meta.param("stopWords");
  if (words == nullptr || !words->is_array()) return model_error(meta, "no stopWords");
  auto& s = **stage;
  s.case_sensitive = meta.bool_param("caseSensitive", false);
  s.locale = java_case_locale(meta.string_param("locale", "en"));
  for (const auto& w : *words) {
    if (w.is_null()) {  // removes null terms, in either mode
      s.stop_words.insert(std::nullopt);
      continue;
    }
    if (!w.is_string()) return model_error(meta, "a stop word is not a string");
    const std::string word = w.get<std::string>();
    s.stop_words.insert(s.case_sensitive ? word : lower_utf8(word, s.locale));
  }
  return loaded(std::move(*stage), info);
}

LoadResult load_ngram(const StageMeta& meta, StageInfo& info) {
  auto stage = new_stage<NGramStage>(meta);
  if (!stage) return std::move(stage).error();
  auto n = count_param(meta, "n", 2, 1);
  if (!n) return std::move(n).error();
  (*stage)->n = *n;
  return loaded(std::move(*stage), info);
}

}  // namespace dbk::scorer::detail
