package match

import (
	"slices"
	"testing"
)

func TestNormalizeArabic(t *testing.T) {
	tests := []struct{ in, want string }{
		{"أحمد", "احمد"},
		{"إبراهيم", "ابراهيم"},
		{"آمنة", "امنه"},
		{"فاطمة", "فاطمه"},
		{"موسى", "موسي"},
		{"فؤاد", "فواد"},
		{"لؤي", "لوي"},
		{"رائد", "رايد"},
		{"مُحَمَّد", "محمد"},
		{"محـــمد", "محمد"},
		{"٠١٢٣٤٥٦٧٨٩", "0123456789"},
		{"Mohammed", "Mohammed"},
	}
	for _, tt := range tests {
		if got := NormalizeArabic(tt.in); got != tt.want {
			t.Errorf("NormalizeArabic(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSkeletons(t *testing.T) {
	tests := []struct {
		name string
		want []string
	}{
		{"محمد", []string{"mhmd"}},
		{"Mohammed", []string{"mhmd"}},
		{"Muhammad", []string{"mhmd"}},
		{"Mohamad", []string{"mhmd"}},
		{"Mohamed", []string{"mhmd"}},
		// Compounds are one name, in any spelling.
		{"Abd al-Rahman", []string{"abdrhmn"}},
		{"Abdul Rahman", []string{"abdrhmn"}},
		{"Abdulrahman", []string{"abdrhmn"}},
		{"Abdelrahman", []string{"abdrhmn"}},
		{"Abdurrahman", []string{"abdrhmn"}},
		{"عبد الرحمن", []string{"abdrhmn"}},
		{"عبدالرحمن", []string{"abdrhmn"}},
		{"Abdullah", []string{"abdl"}},
		{"عبد الله", []string{"abdl"}},
		{"Nour al-Din", []string{"nrdn"}},
		{"Noureddine", []string{"nrdn"}},
		{"نور الدين", []string{"nrdn"}},
		{"Abu Bakr", []string{"abbkr"}},
		{"Abubakr", []string{"abbkr"}},
		{"أبو بكر", []string{"abbkr"}},
		// Articles and particles go.
		{"al-Hassan", []string{"hsn"}},
		{"El Hassan", []string{"hsn"}},
		{"Alhassan", []string{"hsn"}},
		{"الحسن", []string{"hsn"}},
		{"ash-Shami", []string{"xm"}},
		{"Mohammed bin Salman", []string{"mhmd", "slmn"}},
		{"محمد بن سلمان", []string{"mhmd", "slmn"}},
		// But names that begin like an article keep it.
		{"Ali", []string{"al"}},
		{"Alaa", []string{"al"}},
		// A whole chain, mixed scripts.
		{"Mohammed Abdul Rahman al-Hassan", []string{"mhmd", "abdrhmn", "hsn"}},
		{"محمد عبد الرحمن الحسن", []string{"mhmd", "abdrhmn", "hsn"}},
		{"Ibrahim إبراهيم", []string{"abrhm", "abrhm"}},
		{"", []string{}},
	}
	for _, tt := range tests {
		if got := Skeletons(tt.name); !slices.Equal(got, tt.want) {
			t.Errorf("Skeletons(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// sameName compares two single names as the matcher does.
func sameName(t *testing.T, x, y string) bool {
	t.Helper()
	wx, wy := nameWords(x), nameWords(y)
	if len(wx) != 1 || len(wy) != 1 {
		t.Fatalf("%q or %q is not one name", x, y)
	}
	sx, sy := skeletonOf(wx[0]), skeletonOf(wy[0])
	return sx.cons == sy.cons && vowelsAgree(sx, sy)
}

func TestNamesAcrossScripts(t *testing.T) {
	same := [][2]string{
		{"محمد", "Mohammed"}, {"محمد", "Muhammad"}, {"محمد", "Mohamad"}, {"Mohammed", "Muhammad"},
		{"محمود", "Mahmoud"}, {"حسين", "Hussein"}, {"حسين", "Husayn"}, {"Hussein", "Hussain"},
		{"حسن", "Hassan"}, {"حسن", "Hasan"}, {"عمر", "Omar"}, {"عامر", "Amer"},
		{"يوسف", "Youssef"}, {"يوسف", "Yusuf"}, {"سعيد", "Saeed"}, {"سعيد", "Said"},
		{"فاطمة", "Fatima"}, {"فاطمة", "Fatmeh"}, {"Fatima", "Fatimah"},
		{"إبراهيم", "Ibrahim"}, {"أيمن", "Ayman"}, {"خالد", "Khaled"}, {"خالد", "Khalid"},
		{"مصطفى", "Mustafa"}, {"مصطفى", "Moustafa"}, {"حسام", "Houssam"}, {"أسامة", "Oussama"}, {"موسى", "Moussa"}, {"عيسى", "Issa"}, {"ليلى", "Layla"}, {"علي", "Ali"},
		{"شادي", "Chadi"}, {"شادي", "Shadi"}, {"زياد", "Ziad"}, {"زياد", "Ziyad"},
		{"قاسم", "Kassem"}, {"قاسم", "Qasim"}, {"ثائر", "Thaer"},
	}
	for _, p := range same {
		if !sameName(t, p[0], p[1]) {
			t.Errorf("%s and %s should be one name", p[0], p[1])
		}
	}
	different := [][2]string{
		{"حسن", "Hussein"}, {"حسين", "Hassan"}, {"Hassan", "Hussein"},
		{"محمد", "Mahmoud"}, {"Mohammed", "Mahmoud"}, {"محمود", "Mohammed"},
		{"عامر", "Omar"}, {"Omar", "Amer"}, {"علي", "Alaa"}, {"Ali", "Alaa"},
		{"أحمد", "Hamad"}, {"Ahmad", "حمد"},
	}
	for _, p := range different {
		if sameName(t, p[0], p[1]) {
			t.Errorf("%s and %s should be two names", p[0], p[1])
		}
	}
}

func TestWithinOneEdit(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"mhmd", "mhmd", true}, {"mhmd", "mhd", true}, {"mhmd", "mhmdd", true}, {"mhmd", "mhnd", true},
		{"mhmd", "hmmd", true}, {"mhmd", "dmhm", false}, {"mhmd", "ahmd", true}, {"abc", "xyz", false}, {"", "a", true}, {"", "ab", false},
	}
	for _, tt := range tests {
		if got := withinOneEdit(tt.a, tt.b); got != tt.want {
			t.Errorf("withinOneEdit(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestPlaces(t *testing.T) {
	same := [][2]string{{"Aleppo", "حلب"}, {"Halab", "حلب"}, {"Damascus", "دمشق"}, {"Hama", "حماة"}, {"Hamah", "Hama"},
		{"Deir ez-Zor", "دير الزور"}, {"Deir al-Zour", "Dayr az-Zawr"}, {"Latakia", "اللاذقية"}, {"Raqqa", "الرقة"}, {"Idlib", "Edlib"}}
	for _, p := range same {
		if a, b := placeSkeleton(p[0]), placeSkeleton(p[1]); a.cons != b.cons {
			t.Errorf("%s (%s) and %s (%s) should be one place", p[0], a.cons, p[1], b.cons)
		}
	}
	if a, b := placeSkeleton("Homs"), placeSkeleton("Hama"); a.cons == b.cons {
		t.Errorf("Homs and Hama are one place: %s", a.cons)
	}
}
