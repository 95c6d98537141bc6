package postcode_test

import (
	"testing"

	"github.com/linkwell/linkwell/internal/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }
