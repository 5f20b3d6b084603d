# SPDX-License-Identifier: GPL-2.0
#
# libike: the IKEv1 codec, crypto, key derivation and proposal selection
# that ipsecd is built on; its unit tests and the message-parser fuzzer.

IKE_SRCS := $(wildcard ike/*.c)
IKE_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(IKE_SRCS))
IKE_LIB := $(BUILD)/libike.a

LIBS += $(IKE_LIB)

$(IKE_LIB): $(IKE_OBJS)
	$(AR) rcs $@ $^

IKE_TESTS := $(patsubst ../tests/unit/%.c,$(BUILD)/tests/%,\
	$(wildcard ../tests/unit/test_ike_*.c))
TESTS += $(IKE_TESTS)

# A static pattern rule, so it cannot capture the tests' own .o files.
$(IKE_TESTS): $(BUILD)/tests/%: $(BUILD)/tests/%.o $(IKE_LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

IKE_FUZZER := $(BUILD)/fuzz/fuzz_ike_message
FUZZERS += $(IKE_FUZZER)

$(IKE_FUZZER): $(BUILD)/fuzz/fuzz_ike_message.o $(IKE_LIB)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)
