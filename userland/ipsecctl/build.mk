# SPDX-License-Identifier: GPL-2.0
#
# ipsecctl. The argument parsers and the SA and policy output formats live
# in their own library so the unit tests link exactly the code the tool
# runs.
#
# Objects go to $(BUILD)/ipsecctl-obj/, not $(BUILD)/ipsecctl/ as the generic
# rule would put them: that path is the program itself.

IPSECCTL_OBJDIR := $(BUILD)/ipsecctl-obj
IPSECCTL_LIB := $(BUILD)/libipsecctl.a

$(IPSECCTL_OBJDIR)/%.o: ipsecctl/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(IPSECCTL_LIB): $(IPSECCTL_OBJDIR)/args.o $(IPSECCTL_OBJDIR)/args_grammar.o \
		$(IPSECCTL_OBJDIR)/args_policy.o \
		$(IPSECCTL_OBJDIR)/sa_info.o $(IPSECCTL_OBJDIR)/policy_info.o \
		$(IPSECCTL_OBJDIR)/event_info.o $(IPSECCTL_OBJDIR)/info_common.o
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

# The tool itself: main() and the command table, the requests, the commands.
IPSECCTL_TOOL_OBJS := $(addprefix $(IPSECCTL_OBJDIR)/,ipsecctl.o request.o \
	objects.o cmd_sa.o cmd_policy.o cmd_stats.o cmd_monitor.o cmd_ipsecd.o)

$(BUILD)/ipsecctl: $(IPSECCTL_TOOL_OBJS) $(IPSECCTL_LIB) \
		$(BUILD)/libkipsec-common.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

PROGRAMS += $(BUILD)/ipsecctl

IPSECCTL_TESTS := test_ipsecctl_args test_ipsecctl_output \
	test_ipsecctl_policy_output test_ipsecctl_event_output

$(IPSECCTL_TESTS:%=$(BUILD)/tests/%): $(BUILD)/tests/%: $(BUILD)/tests/%.o \
		$(IPSECCTL_LIB) $(BUILD)/libkipsec-common.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

TESTS += $(IPSECCTL_TESTS:%=$(BUILD)/tests/%)

IPSECCTL_FUZZER := $(BUILD)/fuzz/fuzz_ipsecctl_args
FUZZERS += $(IPSECCTL_FUZZER)

$(IPSECCTL_FUZZER): $(BUILD)/fuzz/fuzz_ipsecctl_args.o $(IPSECCTL_LIB) \
		$(BUILD)/libkipsec-common.a
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
