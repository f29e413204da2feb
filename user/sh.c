// sh: the shell.
//
//   line     := pipeline { (';' | '&') [pipeline] }
//   pipeline := command { '|' command }
//   command  := { word | '<' word | '>' word | '>>' word }
//
// A word may contain '...' and "..." quotes, which group spaces and special
// characters into it. Built-ins: cd [dir], exit [status]. A command name
// without '/' is looked up in /bin. "cmd &" runs cmd in the background: it
// is forked from a short-lived child, so init adopts and reaps it. A command
// in the foreground is the console's job (setfg), which ^C kills.
// "sh file" reads commands from file instead of the console.

#include "user/user.h"

#define MAXLINE  512
#define MAXARGS  32
#define MAXREDIR 4
#define MAXNODES 32
#define MAXPATH  256

enum { EXEC, PIPE, LIST, BACK };

// Token types besides these characters: '|' '<' '>' ';' '&'.
enum { END = 0, WORD = 'w', APPEND = 'a' };

struct redir {
  int fd;            // 0 or 1
  int mode;          // open() flags
  char *file;
};

struct cmd {
  int type;
  struct cmd *left, *right;      // PIPE and LIST: both; BACK: left
  char *argv[MAXARGS + 1];       // EXEC: NULL-terminated
  int argc;
  struct redir redir[MAXREDIR];  // EXEC: applied in order
  int nredir;
};

struct token {
  int type;
  char *word;        // for WORD: unquoted text in words[]
};

// One line's parse state. Everything lives in static storage and is reused
// for the next line, so nothing is ever freed.
static struct {
  struct token tokens[MAXLINE + 1];
  int ntokens, next;
  char words[2 * MAXLINE];       // each word is no longer than its input, plus a NUL
  struct cmd nodes[MAXNODES];
  int nnodes;
  int error;                     // a syntax error has been reported
} ps;

static void
syntax(const char *msg)
{
  if (!ps.error)
    fprintf(stderr, "sh: syntax error: %s\n", msg);
  ps.error = 1;
}

// ---- Lexer ----

static const char specials[] = "|<>;&";
static const char spaces[] = " \t\r\n\v";

static int
is_one_of(char c, const char *set)
{
  return c != 0 && strchr(set, c) != 0;
}

// Copies one word from *sp to *wp, removing quotes; returns 0 on an open quote.
static int
lex_word(char **sp, char **wp)
{
  char *s = *sp, *w = *wp, quote;

  while (*s && !is_one_of(*s, spaces) && !is_one_of(*s, specials)) {
    if (*s == '\'' || *s == '"') {
      quote = *s++;
      while (*s && *s != quote)
        *w++ = *s++;
      if (*s++ != quote)
        return 0;
    } else {
      *w++ = *s++;
    }
  }
  *w++ = 0;
  *sp = s;
  *wp = w;
  return 1;
}

static void
lex(char *s)
{
  char *w = ps.words;
  struct token *t;

  for (;;) {
    while (is_one_of(*s, spaces))
      s++;
    t = &ps.tokens[ps.ntokens++];
    t->type = *s;
    if (*s == 0)
      return;
    if (is_one_of(*s, specials)) {
      if (s[0] == '>' && s[1] == '>') {
        t->type = APPEND;
        s++;
      }
      s++;
      continue;
    }
    t->type = WORD;
    t->word = w;
    if (!lex_word(&s, &w)) {
      syntax("unterminated quote");
      t->type = END;
      return;
    }
  }
}

// ---- Parser ----

static int
peek(void)
{
  return ps.tokens[ps.next].type;
}

static struct token*
take(void)
{
  return &ps.tokens[ps.next++];
}

static struct cmd*
node(int type, struct cmd *left, struct cmd *right)
{
  struct cmd *c;

  if (ps.nnodes == MAXNODES) {
    syntax("too many commands");
    return 0;
  }
  c = &ps.nodes[ps.nnodes++];
  memset(c, 0, sizeof(*c));
  c->type = type;
  c->left = left;
  c->right = right;
  return c;
}

static void
add_redir(struct cmd *c, int op)
{
  struct redir *r;

  if (peek() != WORD) {
    syntax("missing file name after < or >");
    return;
  }
  if (c->nredir == MAXREDIR) {
    syntax("too many redirections");
    return;
  }
  r = &c->redir[c->nredir++];
  r->file = take()->word;
  r->fd = op == '<' ? 0 : 1;
  if (op == '<')
    r->mode = O_RDONLY;
  else if (op == '>')
    r->mode = O_WRONLY | O_CREATE | O_TRUNC;
  else
    r->mode = O_WRONLY | O_CREATE | O_APPEND;
}

static struct cmd*
parse_command(void)
{
  struct cmd *c = node(EXEC, 0, 0);
  int t;

  while (c && !ps.error) {
    t = peek();
    if (t == WORD) {
      if (c->argc == MAXARGS) {
        syntax("too many arguments");
        break;
      }
      c->argv[c->argc++] = take()->word;
    } else if (t == '<' || t == '>' || t == APPEND) {
      take();
      add_redir(c, t);
    } else {
      break;
    }
  }
  if (c && c->argc == 0)
    syntax("missing command");
  return ps.error ? 0 : c;
}

static struct cmd*
parse_pipeline(void)
{
  struct cmd *c = parse_command();

  if (c && peek() == '|') {
    take();
    c = node(PIPE, c, parse_pipeline());
  }
  return ps.error ? 0 : c;
}

static struct cmd*
parse_line(void)
{
  struct cmd *c = parse_pipeline();

  if (c && peek() == '&') {
    take();
    c = node(BACK, c, 0);
  } else if (c && peek() == ';') {
    take();
  }
  if (c && peek() != END)
    c = node(LIST, c, parse_line());
  return ps.error ? 0 : c;
}

// Returns the command tree for line, or 0 for an empty line or an error.
static struct cmd*
parse(char *line)
{
  ps.ntokens = ps.next = ps.nnodes = ps.error = 0;
  lex(line);
  if (ps.error || peek() == END)
    return 0;
  return parse_line();
}

// ---- Running commands ----

static void
die(const char *what, int err)
{
  fprintf(stderr, "sh: %s: %s\n", what, strerror(err));
  exit(1);
}

static int
fork_or_die(void)
{
  int pid = fork();

  if (pid < 0)
    die("fork", pid);
  return pid;
}

// Waits for pid, and returns its exit status.
static int
wait_for(int pid)
{
  int r, status = 0;

  while ((r = wait(&status)) != pid && r >= 0)
    ;
  return status;
}

static void
redirect(struct redir *r)
{
  int fd;

  close(r->fd);
  if ((fd = open(r->file, r->mode)) < 0)
    die(r->file, fd);
  if (fd != r->fd)
    die(r->file, EBADF);   // the lower descriptor was not free
}

static void run_exec(struct cmd *c) __attribute__((noreturn));

static void
run_exec(struct cmd *c)
{
  char path[MAXPATH];
  const char *dir;
  int i, r;

  for (i = 0; i < c->nredir; i++)
    redirect(&c->redir[i]);
  dir = strchr(c->argv[0], '/') ? "" : "/bin/";
  if (snprintf(path, sizeof(path), "%s%s", dir, c->argv[0]) >= (int)sizeof(path))
    die(c->argv[0], ENAMETOOLONG);
  r = exec(path, c->argv);
  if (r == -ENOENT && *dir)      // looked up in /bin
    fprintf(stderr, "sh: %s: command not found\n", c->argv[0]);
  else
    fprintf(stderr, "sh: %s: %s\n", c->argv[0], strerror(r));
  exit(127);
}

static void run(struct cmd *c) __attribute__((noreturn));

// In a new child: makes fd (0 or 1) the matching end of pipe p, then runs c.
static int
spawn_on_pipe(int fd, int p[2], struct cmd *c)
{
  int pid, r;

  if ((pid = fork_or_die()) == 0) {
    close(fd);
    if ((r = dup(p[fd])) < 0)
      die("dup", r);
    close(p[0]);
    close(p[1]);
    run(c);
  }
  return pid;
}

// Runs a pipeline or simple command in this (child) process; never returns.
static void
run(struct cmd *c)
{
  int p[2], left, right, r;

  if (c->type == EXEC)
    run_exec(c);
  if ((r = pipe(p)) < 0)
    die("pipe", r);
  left = spawn_on_pipe(1, p, c->left);
  right = spawn_on_pipe(0, p, c->right);
  close(p[0]);
  close(p[1]);
  wait_for(left);
  exit(wait_for(right));
}

// cd and exit change the shell itself; returns 1 if c was one of them.
static int
builtin(struct cmd *c)
{
  const char *dir;
  int r;

  if (strcmp(c->argv[0], "exit") == 0)
    exit(c->argc > 1 ? atoi(c->argv[1]) : 0);
  if (strcmp(c->argv[0], "cd") != 0)
    return 0;
  dir = c->argc > 1 ? c->argv[1] : "/";
  if ((r = chdir(dir)) < 0)
    fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(r));
  return 1;
}

static void
execute(struct cmd *c)
{
  int pid;

  switch (c->type) {
  case LIST:
    execute(c->left);
    execute(c->right);
    return;
  case BACK:
    // The middle child exits at once, so the job is orphaned to init.
    if ((pid = fork()) == 0) {
      if ((pid = fork_or_die()) == 0)
        run(c->left);
      printf("[%d]\n", pid);
      exit(0);
    }
    break;
  case EXEC:
    if (builtin(c))
      return;
    /* fall through */
  default:
    if ((pid = fork()) == 0) {
      setfg(getpid());   // before it forks, so that the whole job joins
      run(c);
    }
    if (pid > 0)
      setfg(pid);        // in case the shell runs first
    break;
  }
  if (pid < 0)
    fprintf(stderr, "sh: fork: %s\n", strerror(pid));
  else
    wait_for(pid);
  setfg(0);
}

// Reads one line; returns 0 at end of input. Drops lines that are too long.
static int
getline(char *buf, int size)
{
  int n;

  gets(buf, size);
  n = strlen(buf);
  if (n == 0)
    return 0;
  if (n == size - 1 && buf[n - 1] != '\n') {
    fprintf(stderr, "sh: line too long\n");
    while (n == size - 1 && buf[n - 1] != '\n')
      n = strlen(gets(buf, size));
    buf[0] = 0;
  }
  return 1;
}

int
main(int argc, char *argv[])
{
  static char line[MAXLINE];
  struct redir script = { stdin, O_RDONLY, argv[1] };
  struct cmd *c;

  if (argc > 1)        // a script: it becomes standard input
    redirect(&script);
  for (;;) {
    if (argc < 2)
      fprintf(stderr, "$ ");
    if (!getline(line, sizeof(line)))
      break;
    if ((c = parse(line)) != 0)
      execute(c);
  }
  return 0;
}
