/* console.h -- the guest's serial console as text for the page.
 *
 * Pure: bytes in, valid UTF-8 out. The serial port delivers bytes in
 * arbitrary pieces; a character split across two reads is carried over to
 * the next one, and bytes that are not UTF-8 become U+FFFD. The last
 * CONSOLE_BACKLOG bytes of clean text are kept so that a page connecting
 * late sees the screen as it is. */
#ifndef GLASSBOX_CONSOLE_H
#define GLASSBOX_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_BACKLOG (64u * 1024)

struct utf8_carry {
    uint8_t buf[4];
    uint8_t len; /* bytes of an incomplete sequence held back */
};

/* Room utf8_clean() needs for n input bytes. */
#define UTF8_CLEAN_CAP(n) (3 * ((n) + 4))

/* Turn n bytes into valid UTF-8 in out (UTF8_CLEAN_CAP(n) bytes), holding
 * an incomplete sequence at the end back in c. Returns the bytes written. */
size_t utf8_clean(struct utf8_carry *c, const uint8_t *in, size_t n,
                  char *out);

struct console_backlog {
    size_t len;
    char buf[CONSOLE_BACKLOG];
};

/* Append clean text; the oldest text goes when it is full. */
void backlog_append(struct console_backlog *b, const char *text, size_t n);
/* The kept text, starting at a character boundary. */
const char *backlog_text(const struct console_backlog *b, size_t *len);
void backlog_clear(struct console_backlog *b);

#endif
