package bargain

import "testing"

// TestSeveralFaultsNameOnePath: a file with several faults is always
// refused naming the same one, whatever order Go walks its maps in.
func TestSeveralFaultsNameOnePath(t *testing.T) {
	d := &Domain{Name: "d", Issues: []Issue{
		{Name: "a", Values: []string{"x", "y"}},
		{Name: "b", Values: []string{"x", "y"}},
		{Name: "c", Values: []string{"x", "y"}},
	}}
	cases := []struct {
		name string
		file string
		want string
	}{
		{"bad ratings on every issue",
			`{"LinearAdditiveUtilitySpace":{"name":"p","issueWeights":{"c":1,"b":1,"a":1},"issueUtilities":{
			"c":{"DiscreteValueSetUtilities":{"valueUtilities":{"y":"no","x":"no"}}},
			"b":{"DiscreteValueSetUtilities":{"valueUtilities":{"y":"no","x":"no"}}},
			"a":{"DiscreteValueSetUtilities":{"valueUtilities":{"y":"no","x":"no"}}}}}}`,
			"profile.issueUtilities.a"},
		{"out-of-range ratings on every option",
			`{"LinearAdditiveUtilitySpace":{"name":"p","issueWeights":{"c":1,"b":1,"a":1},"issueUtilities":{
			"c":{"DiscreteValueSetUtilities":{"valueUtilities":{"y":2,"x":3}}},
			"b":{"DiscreteValueSetUtilities":{"valueUtilities":{"y":2,"x":3}}},
			"a":{"DiscreteValueSetUtilities":{"valueUtilities":{"y":2,"x":3}}}}}}`,
			"profile.issueUtilities.a.valueUtilities.x"},
		{"weights without utilities",
			`{"LinearAdditiveUtilitySpace":{"name":"p","issueWeights":{"z":1,"q":1,"m":1},"issueUtilities":{}}}`,
			"profile.issueUtilities.m"},
		{"unknown issues",
			`{"LinearAdditiveUtilitySpace":{"name":"p","domain":null,"issueWeights":{"z":1,"q":1,"a":1,"b":1,"c":1},"issueUtilities":{
			"z":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}},
			"q":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}},
			"a":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}},
			"b":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}},
			"c":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}}}}}`,
			"profile.issueUtilities.q"},
		{"bad reservation bid values",
			`{"LinearAdditiveUtilitySpace":{"name":"p","issueWeights":{"a":1,"b":1,"c":1},"issueUtilities":{
			"a":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}},
			"b":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}},
			"c":{"DiscreteValueSetUtilities":{"valueUtilities":{"x":1,"y":1}}}},
			"reservationBid":{"issuevalues":{"c":[],"b":{},"a":true}}}}`,
			"profile.reservationBid.a"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for range 200 {
				_, _, err := ParseGeniusWebProfile([]byte(c.file), d)
				e, ok := err.(*Error)
				if !ok || e.Path != c.want {
					t.Fatalf("got %v, want a fault at %s", err, c.want)
				}
			}
		})
	}
	// A bid naming several unknown issues names the first in order.
	opts := [][]string{{"x", "y"}, {"x", "y"}, {"x", "y"}}
	for range 200 {
		_, err := bidOptions(d, opts, Bid{"w": "x", "v": "x", "u": "x", "t": "x"}, "draft")
		if e, ok := err.(*Error); !ok || e.Path != "draft.t" {
			t.Fatalf("got %v, want draft.t", err)
		}
	}
}
