# SPDX-License-Identifier: GPL-2.0
#
# ipsecd. Everything but main.c goes into a library, so the unit tests
# link exactly the code the daemon runs. Objects go to $(BUILD)/ipsecd-obj/
# because $(BUILD)/ipsecd is the program itself.

IPSECD_OBJDIR := $(BUILD)/ipsecd-obj
IPSECD_LIB := $(BUILD)/libipsecd.a
IPSECD_SRCS := $(filter-out ipsecd/main.c,$(wildcard ipsecd/*.c))

$(IPSECD_OBJDIR)/%.o: ipsecd/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(IPSECD_LIB): $(patsubst ipsecd/%.c,$(IPSECD_OBJDIR)/%.o,$(IPSECD_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

LIBS += $(IPSECD_LIB)

$(BUILD)/ipsecd: $(IPSECD_OBJDIR)/main.o $(IPSECD_LIB) $(BUILD)/libike.a \
		$(BUILD)/libkipsec-common.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

PROGRAMS += $(BUILD)/ipsecd

IPSECD_TESTS := $(patsubst ../tests/unit/%.c,$(BUILD)/tests/%,\
	$(wildcard ../tests/unit/test_ipsecd_*.c))
TESTS += $(IPSECD_TESTS)

$(IPSECD_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(IPSECD_LIB) \
		$(BUILD)/libike.a $(BUILD)/libkipsec-common.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

IPSECD_FUZZER := $(BUILD)/fuzz/fuzz_ipsecd_config
FUZZERS += $(IPSECD_FUZZER)

$(IPSECD_FUZZER): $(BUILD)/fuzz/fuzz_ipsecd_config.o $(IPSECD_LIB) \
		$(BUILD)/libike.a $(BUILD)/libkipsec-common.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
