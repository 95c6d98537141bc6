package workforce

import "time"

// Working hours for advice response times: 9am to 5pm, Monday to Friday, in England. Bank
// holidays are not known to Linkwell and count as working days.
const (
	dayStarts = 9
	dayEnds   = 17
)

func workingDay(t time.Time) bool { return t.Weekday() != time.Saturday && t.Weekday() != time.Sunday }

// nextOpen returns t if it falls in working hours, or else the start of the next working day.
func nextOpen(t time.Time) time.Time {
	t = t.In(london)
	for {
		start := time.Date(t.Year(), t.Month(), t.Day(), dayStarts, 0, 0, 0, london)
		end := time.Date(t.Year(), t.Month(), t.Day(), dayEnds, 0, 0, 0, london)
		switch {
		case !workingDay(t) || !t.Before(end):
			t = time.Date(t.Year(), t.Month(), t.Day()+1, dayStarts, 0, 0, 0, london)
		case t.Before(start):
			return start
		default:
			return t
		}
	}
}

// addWorkingMinutes returns the time m working minutes after t.
func addWorkingMinutes(t time.Time, m int) time.Time {
	t = nextOpen(t)
	left := time.Duration(m) * time.Minute
	for {
		end := time.Date(t.Year(), t.Month(), t.Day(), dayEnds, 0, 0, 0, london)
		if t.Add(left).Compare(end) <= 0 {
			return t.Add(left)
		}
		left -= end.Sub(t)
		t = nextOpen(end)
	}
}

// addWorkingDays returns the same working time n working days after t.
func addWorkingDays(t time.Time, n int) time.Time {
	t = nextOpen(t)
	for n > 0 {
		t = time.Date(t.Year(), t.Month(), t.Day()+1, t.Hour(), t.Minute(), t.Second(), 0, london)
		if workingDay(t) {
			n--
		}
	}
	return t
}
