"""Prints schemathesis' own count of test cases and failures from its log (used by api-fuzz.sh)."""
import re
import sys

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
cases = re.search(r"Test cases:\s*(.*)", text)
failures = re.search(r"Failures:\s*(.*)", text)
print("cases:", cases.group(1).strip() if cases else "?",
      "| failures:", failures.group(1).strip() if failures else "none")
