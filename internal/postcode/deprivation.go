package postcode

// The ONS Postcode Directory's imd column is the deprivation rank of the postcode's small area
// within its own country (1 = most deprived), from each nation's own index; ranks are not
// comparable across nations. A decile is derived from the rank and the number of areas that
// index ranks, as ceil(rank × 10 / areas): decile 1 is the most deprived tenth of the country.
// The counts are those of the editions the directory carries at the time of writing; a rank
// beyond its country's count gets no decile rather than a wrong one.
var imdAreas = map[string]int{
	"E92000001": 32_844, // England: English Indices of Deprivation 2019, 2011 LSOAs
	"W92000004": 1_909,  // Wales: Welsh Index of Multiple Deprivation 2019, LSOAs
	"S92000003": 6_976,  // Scotland: Scottish Index of Multiple Deprivation 2020, data zones
	"N92000002": 890,    // Northern Ireland: NI Multiple Deprivation Measure 2017, SOAs
}

// imdDecile returns the decile for a rank in a country, or 0 when it cannot be derived.
func imdDecile(country string, rank int) int {
	areas := imdAreas[country]
	if areas == 0 || rank < 1 || rank > areas {
		return 0
	}
	return (rank*10 + areas - 1) / areas
}
