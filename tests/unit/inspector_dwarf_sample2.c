/* A second unit for inspector_dwarf_test.c: it sees struct proc only as a
 * declaration, and has a file-static of the same name as the first unit. */
struct proc;
struct proc *current;

static int counter = 2;

int bump_counter(void);

void _start(void)
{
    counter += bump_counter();
    for (;;)
        ;
}
