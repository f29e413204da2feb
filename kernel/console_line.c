// The console's line editor: the line being typed, with a cursor in it, and
// the lines typed before it (the history). It echoes what it does and hands
// each finished line to console.c. Keys:
//
//   ← →  (^B ^F)        move the cursor        Home End (^A ^E)  to either end
//   Backspace (^H DEL)  erase before it        Delete             erase under it
//   ^W                  erase the word before  ^U                 all before it
//   ↑ ↓                 the previous / next line of the history
//   Enter               finish the line        ^D                 finish it, no newline
//
// Terminals send the arrows and Home, End, Delete as escape sequences:
// ESC [ A, ESC O A (application mode), ESC [ 3 ~, ESC [ 1 ; 5 C ... They are
// parsed one byte at a time, so one may arrive split across interrupts. An
// unknown sequence is dropped whole; a lone ESC, or one cut short by another
// control character, is dropped and the byte after it taken as typed.
//
// The echo uses only backspace (move left) and reprinting (move right), so
// it works on any terminal, as long as the line fits on one screen line.
#include "types.h"
#include "param.h"
#include "riscv.h"
#include "defs.h"

#define CTRL(x) ((x) - '@')
#define ESC 0x1b
#define DEL 0x7f
#define LINE_MAX 511       // bytes in a line, its end included: sh's MAXLINE with its NUL
#define NHISTORY 16        // lines the history keeps

// Keys that arrive as escape sequences.
enum { NO_KEY = -1, KEY_UP = 0x100, KEY_DOWN, KEY_RIGHT, KEY_LEFT, KEY_HOME, KEY_END, KEY_DELETE };

static struct {
  char buf[LINE_MAX];
  int len;
  int cur;      // cursor: 0..len
} line;

static struct {
  char text[NHISTORY][LINE_MAX];
  int len[NHISTORY];
  int count;    // lines ever saved; line i is in slot i % NHISTORY
  int shown;    // the line on screen: count while typing a new one
  char draft[LINE_MAX];   // the new line, kept while the history is shown
  int draft_len;
} hist;

static struct {
  enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 } state;
  int param;       // the first number of a CSI sequence
  int more;        // past the first number (a ';' came)
} esc;

// ---- escape sequences ----

// The key named by a sequence's final byte (and its first number).
static int final_key(int c, int param)
{
  switch (c) {
  case 'A': return KEY_UP;
  case 'B': return KEY_DOWN;
  case 'C': return KEY_RIGHT;
  case 'D': return KEY_LEFT;
  case 'H': return KEY_HOME;
  case 'F': return KEY_END;
  case '~':
    if (param == 1 || param == 7)
      return KEY_HOME;
    if (param == 4 || param == 8)
      return KEY_END;
    if (param == 3)
      return KEY_DELETE;
    return NO_KEY;
  default:
    return NO_KEY;
  }
}

// Feed one received byte to the parser. Returns the key it completes: the
// byte itself outside a sequence, KEY_* at a sequence's end, NO_KEY inside
// one or at the end of an unknown one.
static int escape_feed(int c)
{
  int in_sequence = esc.state != ESC_NONE;
  if (c == ESC) {                 // (re)starts a sequence
    esc.state = ESC_START;
    return NO_KEY;
  }
  if (in_sequence && (c < ' ' || c >= DEL)) {
    esc.state = ESC_NONE;         // cut short: the byte is a key of its own
    return c;
  }
  switch (esc.state) {
  case ESC_NONE:
    return c;
  case ESC_START:
    esc.param = 0;
    esc.more = 0;
    if (c == '[') {
      esc.state = ESC_CSI;
      return NO_KEY;
    }
    if (c == 'O') {
      esc.state = ESC_SS3;
      return NO_KEY;
    }
    esc.state = ESC_NONE;         // ESC then a plain key (Alt+key): the key
    return c;
  case ESC_SS3:
    esc.state = ESC_NONE;
    return final_key(c, 0);
  case ESC_CSI:
    if (c >= '@') {               // final byte: '@'..'~'
      esc.state = ESC_NONE;
      return final_key(c, esc.param);
    }
    if (c == ';')
      esc.more = 1;
    else if (c >= '0' && c <= '9' && !esc.more && esc.param < 1000)
      esc.param = esc.param * 10 + (c - '0');
    return NO_KEY;                // parameter or intermediate byte
  }
  return NO_KEY;
}

// ---- echo ----

static void back(int n)
{
  while (n-- > 0)
    consputc('\b');
}

// The screen's cursor is at column `from` of the line, whose old length was
// old_len: print the line from there, blank what is left of the old one,
// and put the screen's cursor back at line.cur.
static void show_from(int from, int old_len)
{
  int end = line.len > old_len ? line.len : old_len;
  for (int i = from; i < line.len; i++)
    consputc(line.buf[i]);
  for (int i = line.len; i < old_len; i++)
    consputc(' ');
  back(end - line.cur);
}

// ---- editing ----

static void insert(int c)
{
  // Room for the line and its end, here and in the console's queue.
  if (line.len + 1 >= LINE_MAX || line.len + 2 > console_room())
    return;
  memmove(line.buf + line.cur + 1, line.buf + line.cur, line.len - line.cur);
  line.buf[line.cur] = c;
  line.len++;
  line.cur++;
  show_from(line.cur - 1, line.len - 1);
}

// Erase the n bytes before the cursor.
static void erase_before(int n)
{
  int old_len = line.len;
  back(n);
  memmove(line.buf + line.cur - n, line.buf + line.cur, line.len - line.cur);
  line.cur -= n;
  line.len -= n;
  show_from(line.cur, old_len);
}

// The length of the word before the cursor, with the spaces after it.
static int word_before(void)
{
  int i = line.cur;
  while (i > 0 && line.buf[i - 1] == ' ')
    i--;
  while (i > 0 && line.buf[i - 1] != ' ')
    i--;
  return line.cur - i;
}

static void move_to(int pos)
{
  if (pos < line.cur)
    back(line.cur - pos);
  for (; line.cur < pos; line.cur++)
    consputc(line.buf[line.cur]);
  line.cur = pos;
}

// Show text in place of the line, the cursor at its end.
static void replace_line(const char *text, int len)
{
  int old_len = line.len;
  back(line.cur);
  memmove(line.buf, text, len);
  line.len = len;
  line.cur = len;
  show_from(0, old_len);
}

// ---- history ----

static void history_show(int i)
{
  int len = i == hist.count ? hist.draft_len : hist.len[i % NHISTORY];
  if (len + 1 > console_room())          // it would not fit in the queue
    return;
  if (hist.shown == hist.count) {        // leaving the new line: keep it
    memmove(hist.draft, line.buf, line.len);
    hist.draft_len = line.len;
  }
  hist.shown = i;
  if (i == hist.count)
    replace_line(hist.draft, hist.draft_len);
  else
    replace_line(hist.text[i % NHISTORY], hist.len[i % NHISTORY]);
}

static void history_up(void)
{
  int oldest = hist.count > NHISTORY ? hist.count - NHISTORY : 0;
  if (hist.shown > oldest)
    history_show(hist.shown - 1);
}

static void history_down(void)
{
  if (hist.shown < hist.count)
    history_show(hist.shown + 1);
}

// Save the finished line, unless it is empty or the same as the last one.
static void history_save(void)
{
  int last = (hist.count - 1) % NHISTORY;
  int same = hist.count > 0 && hist.len[last] == line.len &&
             memcmp(hist.text[last], line.buf, line.len) == 0;
  if (line.len > 0 && !same) {
    memmove(hist.text[hist.count % NHISTORY], line.buf, line.len);
    hist.len[hist.count % NHISTORY] = line.len;
    hist.count++;
  }
  hist.shown = hist.count;
}

// ---- the line's end ----

// Forget the line being typed (after ^C, or once handed over).
void line_discard(void)
{
  line.len = 0;
  line.cur = 0;
  esc.state = ESC_NONE;
  hist.shown = hist.count;
}

static void finish(char end)
{
  if (line.len + 1 > console_room())     // the queue is full: wait for a read
    return;
  if (end == '\n') {
    move_to(line.len);
    consputc('\n');
    history_save();
  }
  console_commit(line.buf, line.len, end);
  line_discard();
}

// Print the line again (after something else was printed below it).
void line_redraw(void)
{
  int cur = line.cur;
  line.cur = 0;
  move_to(line.len);
  move_to(cur);
}

// One received byte.
void line_key(int c)
{
  int key = escape_feed(c);
  switch (key) {
  case NO_KEY:
    break;
  case '\r':
  case '\n':
    finish('\n');
    break;
  case CTRL('D'):
    finish(CTRL('D'));
    break;
  case CTRL('H'):
  case DEL:
    if (line.cur > 0)
      erase_before(1);
    break;
  case CTRL('W'):
    erase_before(word_before());
    break;
  case CTRL('U'):
    erase_before(line.cur);
    break;
  case KEY_DELETE:
    if (line.cur < line.len) {
      move_to(line.cur + 1);
      erase_before(1);
    }
    break;
  case KEY_LEFT:
  case CTRL('B'):
    if (line.cur > 0)
      move_to(line.cur - 1);
    break;
  case KEY_RIGHT:
  case CTRL('F'):
    if (line.cur < line.len)
      move_to(line.cur + 1);
    break;
  case KEY_HOME:
  case CTRL('A'):
    move_to(0);
    break;
  case KEY_END:
  case CTRL('E'):
    move_to(line.len);
    break;
  case KEY_UP:
    history_up();
    break;
  case KEY_DOWN:
    history_down();
    break;
  default:
    if (key >= ' ' && key < 0x100)   // other control characters do nothing
      insert(key);
    break;
  }
}
