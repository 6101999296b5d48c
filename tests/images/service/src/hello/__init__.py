"""The example service: greets through a C helper built with gcc and libffi."""
import ctypes
import os
import sys

_LIB = os.path.join(sys.prefix, "lib", "libhello.so")


def greet(name="atmograph"):
    lib = ctypes.CDLL(_LIB)
    lib.hello_greet.argtypes = [ctypes.c_char_p]
    return lib.hello_greet(("hello, " + name).encode())
