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

$(IPSECCTL_LIB): $(IPSECCTL_OBJDIR)/args.o $(IPSECCTL_OBJDIR)/args_policy.o \
		$(IPSECCTL_OBJDIR)/sa_info.o $(IPSECCTL_OBJDIR)/policy_info.o \
		$(IPSECCTL_OBJDIR)/event_info.o $(IPSECCTL_OBJDIR)/info_common.o
	@mkdir -p $(dir $@)
	rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/ipsecctl: $(IPSECCTL_OBJDIR)/ipsecctl.o $(IPSECCTL_LIB) \
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
