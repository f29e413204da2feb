# xv6bench for Glassbox, with the user programs' own flags and library:
#   make -f Makefile -f tests/bench/xv6bench.mk build/bench/xv6bench
# (tests/bench/xv6_compare.py does this; not part of `make` or `make test`).
XV6BENCH := $(BUILD)/bench/xv6bench

$(BUILD)/bench/xv6bench.o: tests/bench/xv6bench.c user/user.h
	@mkdir -p $(@D)
	$(UCC) $(UCFLAGS) -c -o $@ $<

$(XV6BENCH): $(BUILD)/bench/xv6bench.o $(ULIBOBJS) user/user.ld
	$(call ulink,$<)
