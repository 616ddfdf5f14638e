"""How much one memo may hold: the bounds that keep one render (and one request) short.

Every limit here is checked on write only (memo create/edit, the plan report's page form,
API and CSV/XLSX imports, chain comments); memos stored before a limit was lowered still
open and print.  The render itself also runs under a time budget (``PDF_RENDER_SECONDS``,
:mod:`approval.services.render_budget`) for whatever slips past these.

Chosen with ``bench/adversarial.py`` (adversarial memos at the limits: many one-character
lines, long Thai runs without a break, the maximum of sections, plan rows with the longest
names and notes, longest comments, and all of them at once), so that the worst memo within
them renders in under 5 s on the 2-core development VM (shared with other jobs):
see the figures at the end of this module.
"""

from __future__ import annotations

#: Characters of the memo's own text: department, subject, addressee, closing and every
#: section's title and body together.  (One 30,000-character paragraph: ~0.6 s CPU.)
MEMO_CHARS_MAX = 30_000
#: Sections of one memo.
SECTIONS_MAX = 20
#: Characters of one section's title / body.
SECTION_TITLE_MAX = 200
SECTION_BODY_MAX = 20_000
#: Printed lines (paragraphs) of one section's body.  Paragraph count, not characters,
#: is what costs: 10,000 one-character lines took 6.7 s of CPU (15 s wall).
SECTION_LINES_MAX = 60
#: Characters without a space or line break (a Thai run the line breaker has to cut by
#: dictionary, or a string of one letter).  Runs are linear to print; this keeps a single
#: "word" from filling pages.
RUN_CHARS_MAX = 2_000

#: Projects of one plan report, the same for the API (JSON and CSV), the page's form and
#: the CSV/XLSX imports.  With 500-character names and notes this is the heaviest part of
#: a memo: see the figures at the end of this module.
PLAN_ROWS_MAX = 300
#: Characters of the plan report's printed text: every project's name and note, the
#: problems and the suggestions together.  (300 rows with 500-character names and notes
#: took 10 s of CPU; the reference report's 49 projects hold about 4,000.)
PLAN_CHARS_MAX = 20_000

#: Steps of the signing chain (each prints its signer, date and comment).
CHAIN_STEPS_MAX = 8
#: A chain comment (opinion, order, reason of a return): characters and lines.
COMMENT_MAX = 5_000
COMMENT_LINES_MAX = 20

#: XLSX imports.  Columns read (cells further right are ignored); cells one row may hold
#: and cells of the whole sheet (blank formatted cells included) before the file is
#: refused; rows read at most (blank formatted rows included); the uncompressed size of
#: the workbook's parts in all and of each part read whole (zip bombs).  The sheet is
#: streamed and counted first (plan_report/io._scan_sheet), so a 2,000,000-cell row is
#: refused after its first 1,000 cells.
XLSX_COLUMNS_MAX = 50
XLSX_ROW_CELLS_MAX = 1_000
XLSX_CELLS_MAX = 30_000
XLSX_SCANNED_ROWS_MAX = 10_000
XLSX_UNCOMPRESSED_MAX = 100 * 1024 * 1024
XLSX_PART_MAX = 5 * 1024 * 1024

#: Two runs of ``bench/adversarial.py`` on the 2-core VM while 5 other agents' test suites
#: ran on it (load average 7-10): CPU seconds of one render, run 1 (one render) and run 2
#: (median of 3), and the wall clock of run 2, inflated 5-10x by the load -- the reference
#: memo itself took 3.3 s of wall clock in run 2, against ~0.25 s on an idle machine, where
#: the wall clock is the CPU time:
#:
#:                                              CPU 1   CPU 2   wall 2
#:   one-character lines (20 x 60)             0.83 s  0.54 s   4.8 s
#:   long Thai runs without a break            0.56 s  0.38 s   2.7 s
#:   long runs of one letter                   1.16 s  0.81 s   6.7 s
#:   one long paragraph per section            0.50 s  0.32 s   2.2 s
#:   most sections, longest titles, lines      1.10 s  0.76 s   6.3 s
#:   300 plan rows sharing 20,000 characters   1.14 s  0.85 s   6.3 s
#:   plan: longest names/notes, problems       0.56 s  0.43 s   3.6 s
#:   8 steps with 5,000-character comments     0.60 s  0.59 s   4.1 s
#:   all at once (lines + plan + comments)     1.85 s  2.33 s  22.3 s
#:   all at once (sections + plan + comments)  1.75 s  2.52 s  23.1 s
#:
#: Before these limits: 30 x 10,000 one-character lines 30 s; 30 x 20,000 Thai characters
#: without a break 20 s; 5,000 plan projects 17.6 s.  The worst memo within the limits is
#: 2-2.5 s of CPU, a quarter of the default render budget (PDF_RENDER_SECONDS = 10); on a
#: machine this loaded its wall clock passes the budget and its order would be refused.
