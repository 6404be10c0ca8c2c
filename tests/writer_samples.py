"""A small document with every construct the writers handle, for the DOCX and PDF tests."""

from __future__ import annotations

from datetime import datetime

from pcndocs.render.document import PageInfo

WHEN = datetime(2025, 3, 20)

INFO = PageInfo(
    title="Schedule 1: Network details",
    network="Riverside Primary Care Network",
    subject="Schedule 1 of the Network Agreement",
    author="Network Manager",
    keywords="Primary Care Network, Riverside Primary Care Network, schedule-1",
    created=WHEN,
)

SAMPLE = """\
# Schedule 1: Network details

**Riverside Primary Care Network**

## The network

1. The network is made up of the member practices.
   1. Each practice signs the Network Agreement.
   2. Each practice nominates a representative.
2. The payee receives the money for the network.

Between two numbered lists.

1. This list restarts at one.
2. And goes on to two.

Another paragraph.

5. This list starts at five.
6. And goes on to six.

- A bullet with a [[to be agreed: placeholder]] and a [link](https://www.england.nhs.uk/).
  - A nested bullet

### Practices

| Practice | ODS code | Registered patients |
|---|---|---:|
| Northgate Health Centre | A12345 | 12,345 |
| Millbrook Medical Centre | B23456 | 9,876 |

#### Checks

- [ ] Read the workstream's summary.
- [ ] Agree the sessions with the clinical director.
- [ ] Report progress to the network board.

::: pagebreak
:::

## Signatures

::: signature
Signed for **Northgate Health Centre**
:::
"""

CHECKBOXES = 3
SIGNATURE_LINES = ("Name", "Role", "Signature", "Date")
