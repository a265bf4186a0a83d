package demo

import (
	"fmt"
	"time"
)

// rowFormat lays out one step: number, ok/FAIL, family, step, API, time, result. Rows are
// printed as steps complete, so the widths are fixed.
const rowFormat = "%3s  %-4s  %-5s  %-34s  %-58s  %7s  %s\n"

func (r *runner) printHeader() {
	fmt.Fprintf(r.out, rowFormat, "#", "", "API", "STEP", "OPERATION", "TIME", "RESULT (expected when it differs)")
}

func (r *runner) printStep(n int, s Step) {
	mark, result := "ok", s.Got
	if !s.OK {
		mark, result = "FAIL", "expected "+s.Expect+", got "+s.Got
	}
	fmt.Fprintf(r.out, rowFormat, fmt.Sprint(n), mark, s.Family, clip(s.Name, 34), clip(s.API, 58), shortDuration(s.Duration), result)
}

func (r *runner) printFinal() {
	if len(r.report.Final) > 0 {
		fmt.Fprintln(r.out)
		fmt.Fprintln(r.out, "Final states:")
		for _, f := range r.report.Final {
			fmt.Fprintf(r.out, "  %-40s  %-40s  %s\n", f.What, f.ID, f.State)
		}
	}
	fmt.Fprintln(r.out)
	failed := len(r.report.Failed())
	if failed == 0 {
		fmt.Fprintf(r.out, "All %d steps OK in %v.\n", len(r.report.Steps), shortDuration(r.report.Duration))
		return
	}
	fmt.Fprintf(r.out, "%d of %d steps FAILED (%v).\n", failed, len(r.report.Steps), shortDuration(r.report.Duration))
}

// shortDuration prints d in milliseconds (to the tenth below 10 ms), and to the hundredth
// of a second from a second on.
func shortDuration(d time.Duration) string {
	switch {
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%dms", d.Milliseconds())
	}
	return d.Round(10 * time.Millisecond).String()
}
