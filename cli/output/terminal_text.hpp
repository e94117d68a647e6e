#pragma once

#include <string>
#include <string_view>

namespace dbk::cli {

/// `text` made safe to write to a terminal. A server's names and messages are input: an
/// ESC or CSI in a job name could otherwise move the cursor, rewrite earlier output, set
/// the window title or worse in the user's terminal. Every C0 control (U+0000-U+001F)
/// except tab, DEL (U+007F) and every C1 control (U+0080-U+009F) becomes a visible escape:
/// `\x1b` for ESC, `\u009b` for CSI. A byte that is not part of valid UTF-8 becomes `\xHH`
/// too (an 8-bit terminal reads 0x80-0x9F as C1 controls). All else, backslashes
/// included, is kept, so ordinary names print unchanged. For text and table output;
/// `--output json` needs none of this, its encoder escapes every control character.
std::string terminal_safe(std::string_view text);

}  // namespace dbk::cli
