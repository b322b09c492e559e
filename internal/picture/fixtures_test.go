package picture

import "time"

// month returns a Month with no sessions yet for the given month.
func month(year int, mon time.Month, zone string, today, limit int) Month {
	return Month{Year: year, Month: mon, Zone: zone, Today: today, WeekLimit: limit, Days: make([]Day, daysIn(year, mon))}
}

// example is a typical month, and the picture shown in the docs: November
// 2026 seen on the 18th, a week over the limit, a 0.5 mm needle followed by
// red and then irritated skin and a break.
func example() Month {
	m := month(2026, time.November, "Europe/Paris", 18, 5)
	for _, d := range []int{1, 2, 3, 4, 5, 6, 7, 9, 10, 16, 18} {
		m.Days[d-1].Sessions = 1
	}
	m.Days[10-1].MaxNeedle = 0.5
	m.Days[3-1].Check = CheckFine
	m.Days[5-1].Check = CheckFine
	m.Days[11-1].Check = CheckRed
	m.Days[12-1].Check = CheckIrritated
	m.Days[17-1].Check = CheckFine
	for d := 12; d <= 15; d++ {
		m.Days[d-1].Break = true
	}
	return m
}

// busy is a past month with every mark, most of them at once: several
// sessions a day, weeks over the limit with sessions from the months either
// side, breaks with and without sessions, and every check-in on every shade.
func busy() Month {
	m := month(2026, time.October, "Asia/Kolkata", 0, 5)
	m.SessionsBefore, m.SessionsAfter = 4, 2
	counts := []int{1, 2, 0, 3, 1, 1, 0, 12, 1, 0, 1, 0, 99, 1, 0, 1, 1, 1, 1, 2, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1}
	for i, n := range counts {
		m.Days[i].Sessions = n
		m.Days[i].Check = Check(i % 4)
		if i%3 == 0 {
			m.Days[i].MaxNeedle = 0.5
		} else {
			m.Days[i].MaxNeedle = 0.25
		}
	}
	for _, d := range []int{9, 10, 26, 27} {
		m.Days[d-1].Break = true
	}
	return m
}

// february starts on a Monday and fills exactly four rows; it is a past month
// with a week-long break, a limit of three and a long zone name.
func february() Month {
	m := month(2027, time.February, "America/Argentina/Buenos_Aires", 0, 3)
	for _, d := range []int{1, 4, 8, 9, 10, 11, 25, 28} {
		m.Days[d-1].Sessions = 1
		m.Days[d-1].MaxNeedle = 0.2
	}
	m.Days[11-1].Check = CheckRed
	for d := 15; d <= 21; d++ {
		m.Days[d-1].Break = true
	}
	return m
}
