#!/usr/bin/env python3
"""Put results/validation/report.md (minus its title) into README.md between the validation-table markers."""
import re
report = open('results/validation/report.md').read().split('\n', 2)[2].strip()
readme = open('README.md').read()
new = re.sub(r'(<!-- validation-table -->\n).*?(<!-- /validation-table -->)', lambda m: m.group(1) + report + '\n' + m.group(2), readme, flags=re.S)
open('README.md', 'w').write(new)
