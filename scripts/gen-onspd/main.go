// Command gen-onspd writes a synthetic ONS Postcode Directory CSV in the published column
// layout, for measuring `linkwell postcodes import` at national scale without the real file
// (2.7 million rows, about 1.6 GB with every field quoted as ONS does). Postcodes are shaped
// like real ones in real postcode areas; about a third are terminated and a few have no
// location, as in the directory. The output is the same for the same flags.
//
//	go run ./scripts/gen-onspd -rows 2700000 -out /tmp/onspd.csv
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

// header is the directory's columns in its published order.
var header = strings.Split("pcd7,pcd8,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,"+
	"oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,"+
	"statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,"+
	"bua11,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21", ",")

// area is a postcode area with its rough centre and country.
type area struct {
	code      string
	lat, long float64
	country   string
}

// areas are real postcode areas; positions are approximate and only need to look British.
var areas = []area{
	{"AB", 57.15, -2.11, "S"}, {"B", 52.48, -1.89, "E"}, {"BA", 51.38, -2.36, "E"}, {"BB", 53.75, -2.48, "E"},
	{"BD", 53.79, -1.75, "E"}, {"BH", 50.72, -1.88, "E"}, {"BL", 53.58, -2.43, "E"}, {"BN", 50.83, -0.14, "E"},
	{"BR", 51.40, 0.02, "E"}, {"BS", 51.45, -2.59, "E"}, {"CA", 54.89, -2.93, "E"}, {"CB", 52.20, 0.12, "E"},
	{"CF", 51.48, -3.18, "W"}, {"CH", 53.19, -2.89, "E"}, {"CM", 51.73, 0.47, "E"}, {"CO", 51.89, 0.90, "E"},
	{"CR", 51.37, -0.10, "E"}, {"CT", 51.28, 1.08, "E"}, {"CV", 52.41, -1.51, "E"}, {"CW", 53.10, -2.44, "E"},
	{"DA", 51.45, 0.21, "E"}, {"DD", 56.46, -2.97, "S"}, {"DE", 52.92, -1.48, "E"}, {"DG", 55.07, -3.61, "S"},
	{"DH", 54.78, -1.58, "E"}, {"DL", 54.52, -1.55, "E"}, {"DN", 53.52, -1.13, "E"}, {"DT", 50.71, -2.44, "E"},
	{"DY", 52.51, -2.09, "E"}, {"E", 51.53, -0.05, "E"}, {"EC", 51.52, -0.09, "E"}, {"EH", 55.95, -3.19, "S"},
	{"EN", 51.65, -0.08, "E"}, {"EX", 50.72, -3.53, "E"}, {"FK", 56.00, -3.78, "S"}, {"FY", 53.82, -3.05, "E"},
	{"G", 55.86, -4.25, "S"}, {"GL", 51.86, -2.24, "E"}, {"GU", 51.24, -0.57, "E"}, {"HA", 51.58, -0.34, "E"},
	{"HD", 53.65, -1.78, "E"}, {"HG", 54.00, -1.54, "E"}, {"HP", 51.75, -0.47, "E"}, {"HR", 52.06, -2.72, "E"},
	{"HU", 53.74, -0.33, "E"}, {"HX", 53.72, -1.86, "E"}, {"IG", 51.56, 0.08, "E"}, {"IP", 52.06, 1.15, "E"},
	{"IV", 57.48, -4.22, "S"}, {"KA", 55.61, -4.50, "S"}, {"KT", 51.41, -0.30, "E"}, {"KW", 58.44, -3.09, "S"},
	{"KY", 56.20, -3.15, "S"}, {"L", 53.41, -2.98, "E"}, {"LA", 54.05, -2.80, "E"}, {"LD", 52.24, -3.38, "W"},
	{"LE", 52.64, -1.13, "E"}, {"LL", 53.12, -3.80, "W"}, {"LN", 53.23, -0.54, "E"}, {"LS", 53.80, -1.55, "E"},
	{"LU", 51.88, -0.42, "E"}, {"M", 53.48, -2.24, "E"}, {"ME", 51.27, 0.52, "E"}, {"MK", 52.04, -0.76, "E"},
	{"ML", 55.78, -3.98, "S"}, {"N", 51.57, -0.11, "E"}, {"NE", 54.97, -1.61, "E"}, {"NG", 52.95, -1.15, "E"},
	{"NN", 52.24, -0.90, "E"}, {"NP", 51.58, -3.00, "W"}, {"NR", 52.63, 1.30, "E"}, {"NW", 51.55, -0.17, "E"},
	{"OL", 53.54, -2.12, "E"}, {"OX", 51.75, -1.26, "E"}, {"PA", 55.85, -4.43, "S"}, {"PE", 52.57, -0.24, "E"},
	{"PH", 56.40, -3.43, "S"}, {"PL", 50.38, -4.14, "E"}, {"PO", 50.82, -1.09, "E"}, {"PR", 53.76, -2.70, "E"},
	{"RG", 51.45, -0.97, "E"}, {"RH", 51.12, -0.19, "E"}, {"RM", 51.56, 0.18, "E"}, {"S", 53.38, -1.47, "E"},
	{"SA", 51.62, -3.94, "W"}, {"SE", 51.47, -0.06, "E"}, {"SG", 51.90, -0.20, "E"}, {"SK", 53.41, -2.15, "E"},
	{"SL", 51.51, -0.59, "E"}, {"SM", 51.36, -0.19, "E"}, {"SN", 51.56, -1.78, "E"}, {"SO", 50.90, -1.40, "E"},
	{"SP", 51.07, -1.79, "E"}, {"SR", 54.91, -1.38, "E"}, {"SS", 51.54, 0.71, "E"}, {"ST", 53.00, -2.18, "E"},
	{"SW", 51.46, -0.17, "E"}, {"SY", 52.71, -2.75, "E"}, {"TA", 51.02, -3.10, "E"}, {"TD", 55.60, -2.78, "S"},
	{"TF", 52.68, -2.45, "E"}, {"TN", 51.13, 0.26, "E"}, {"TQ", 50.46, -3.53, "E"}, {"TR", 50.26, -5.05, "E"},
	{"TS", 54.57, -1.23, "E"}, {"TW", 51.45, -0.34, "E"}, {"UB", 51.53, -0.45, "E"}, {"W", 51.51, -0.20, "E"},
	{"WA", 53.39, -2.59, "E"}, {"WC", 51.52, -0.12, "E"}, {"WD", 51.66, -0.40, "E"}, {"WF", 53.68, -1.50, "E"},
	{"WN", 53.55, -2.63, "E"}, {"WR", 52.19, -2.22, "E"}, {"WS", 52.58, -1.98, "E"}, {"WV", 52.59, -2.13, "E"},
	{"YO", 53.96, -1.08, "E"}, {"ZE", 60.15, -1.15, "S"},
}

// countries gives each nation's code, its deprivation ranks' range, and its pseudo ICB.
var countries = map[string]struct {
	code  string
	ranks int
	icb   string
}{
	"E": {"E92000001", 32_844, ""},
	"W": {"W92000004", 1_909, "W99999999"},
	"S": {"S92000003", 6_976, "S99999999"},
}

const (
	unitsPerSector   = 250 // about the national average
	sectorsPerDist   = 10
	unitLetters      = "ABDEFGHJLNPQRSTUWXYZ" // inward codes never use C, I, K, M, O or V
	terminatedChance = 0.33                   // about a third of the directory's rows
	noLocationChance = 0.003
)

func main() {
	rows := flag.Int("rows", 2_700_000, "how many rows to write")
	out := flag.String("out", "-", "the file to write, or - for standard output")
	flag.Parse()
	w := io.Writer(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gen-onspd:", err)
			os.Exit(1)
		}
		defer f.Close()
		w = f
	}
	if err := generate(w, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "gen-onspd:", err)
		os.Exit(1)
	}
}

func generate(w io.Writer, rows int) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	rng := rand.New(rand.NewPCG(2026, 4))
	bw.WriteString(strings.Join(header, ",") + "\n")
	perArea := (rows + len(areas) - 1) / len(areas)
	var line []byte
	for i := range rows {
		a := areas[i/perArea]
		n := i % perArea
		district := 1 + n/(unitsPerSector*sectorsPerDist)
		sector := n / unitsPerSector % sectorsPerDist
		unit := n % unitsPerSector
		outward := a.code + strconv.Itoa(district)
		inward := strconv.Itoa(sector) + string(unitLetters[unit/len(unitLetters)%len(unitLetters)]) + string(unitLetters[unit%len(unitLetters)])
		line = appendRow(line[:0], rng, a, district, outward, inward)
		if _, err := bw.Write(line); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// appendRow writes one quoted row: the columns the importer reads carry generated values, the
// rest the pseudo codes and placeholders they have in the real file.
func appendRow(b []byte, rng *rand.Rand, a area, district int, outward, inward string) []byte {
	c := countries[a.country]
	pcds := outward + " " + inward
	doterm, lat, long := "", "", ""
	if rng.Float64() < terminatedChance {
		doterm = strconv.Itoa(1990+rng.IntN(35)) + fmt.Sprintf("%02d", 1+rng.IntN(12))
	}
	if rng.Float64() < noLocationChance {
		lat, long = "99.999999", "0.000000"
	} else {
		// Districts spread a few kilometres from the area's centre, postcodes within them.
		dLat := float64(district%7-3)*0.03 + rng.NormFloat64()*0.01
		dLong := float64(district%5-2)*0.05 + rng.NormFloat64()*0.015
		lat = strconv.FormatFloat(a.lat+dLat, 'f', 6, 64)
		long = strconv.FormatFloat(a.long+dLong, 'f', 6, 64)
	}
	lsoa, icb := fmt.Sprintf("%s01%06d", a.country, rng.IntN(40_000)), c.icb
	if a.country == "S" {
		lsoa = ""
	}
	if icb == "" {
		icb = fmt.Sprintf("E54%06d", 8+rng.IntN(60))
	}
	values := map[string]string{
		"pcd7": fmt.Sprintf("%-4s%s", outward, inward), "pcd8": fmt.Sprintf("%-4s %s", outward, inward), "pcds": pcds,
		"dointr": "198001", "doterm": doterm, "ctry": c.code, "lat": lat, "long": long,
		"imd": strconv.Itoa(1 + rng.IntN(c.ranks)), "icb": icb, "lsoa21": lsoa, "lsoa11": lsoa,
		"oseast1m": strconv.Itoa(300_000 + rng.IntN(200_000)), "osnrth1m": strconv.Itoa(100_000 + rng.IntN(800_000)),
	}
	for i, col := range header {
		if i > 0 {
			b = append(b, ',')
		}
		v, ok := values[col]
		if !ok {
			v = a.country + "99999999"
		}
		b = append(b, '"')
		b = append(b, v...)
		b = append(b, '"')
	}
	return append(b, '\n')
}
